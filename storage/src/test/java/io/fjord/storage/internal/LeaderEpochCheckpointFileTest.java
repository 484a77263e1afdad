package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeaderEpochCheckpointFileTest {
    @TempDir
    Path directory;

    @Test
    void writesKafkasFormatAndReadsItBack() throws IOException {
        LeaderEpochCheckpointFile file = new LeaderEpochCheckpointFile(directory);
        List<EpochEntry> entries = List.of(new EpochEntry(0, 0), new EpochEntry(3, 17), new EpochEntry(4, 90));
        file.write(entries);
        assertThat(Files.readAllLines(directory.resolve("leader-epoch-checkpoint")))
                .containsExactly("0", "3", "0 0", "3 17", "4 90");
        assertThat(file.read()).contains(entries);
        assertThat(directory.resolve("leader-epoch-checkpoint.tmp")).doesNotExist();
        file.write(List.of());
        assertThat(file.read()).contains(List.of());
    }

    @Test
    void aMissingFileReadsAsAbsent() {
        assertThat(new LeaderEpochCheckpointFile(directory).read()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1\n0\n", "0\n2\n0 0\n", "0\n1\n0\n", "0\n1\nx 5\n", "0\n2\n1 0\n1 5\n",
            "0\n2\n1 5\n2 5\n", "0\n2\n2 0\n1 5\n", "0\n1\n-1 0\n", "0\n1\n0 -4\n"})
    void aMalformedFileReadsAsAbsent(String content) throws IOException {
        Files.writeString(directory.resolve("leader-epoch-checkpoint"), content);
        assertThat(new LeaderEpochCheckpointFile(directory).read()).isEmpty();
    }
}
