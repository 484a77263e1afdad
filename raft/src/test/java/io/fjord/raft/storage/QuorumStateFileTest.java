package io.fjord.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.raft.DurableState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuorumStateFileTest {
    @TempDir
    Path directory;

    @Test
    void noFileIsTheInitialState() throws IOException {
        QuorumStateFile.Stored stored = new QuorumStateFile(directory).read();
        assertThat(stored.state()).isEqualTo(DurableState.INITIAL);
        assertThat(stored.leaderId()).isEqualTo(-1);
    }

    @Test
    void aWriteReplacesTheFileWithKafkasJsonAndReadsBack() throws IOException {
        QuorumStateFile file = new QuorumStateFile(directory);
        file.write(new DurableState(3, 2), -1);
        file.write(new DurableState(5, DurableState.NO_VOTE), 1);

        assertThat(Files.readString(file.path())).isEqualTo("{\"leaderId\":1,\"leaderEpoch\":5,\"votedId\":-1,"
                + "\"votedDirectoryId\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"data_version\":1}");
        assertThat(new QuorumStateFile(directory).read())
                .isEqualTo(new QuorumStateFile.Stored(new DurableState(5, DurableState.NO_VOTE), 1));
        assertThat(directory.resolve("quorum-state.tmp")).doesNotExist();
    }

    @Test
    void aFileWithoutAnEpochIsAnError() throws IOException {
        Files.writeString(directory.resolve(QuorumStateFile.FILE_NAME), "{\"leaderId\":1}");
        assertThatThrownBy(() -> new QuorumStateFile(directory).read()).isInstanceOf(IOException.class);
    }
}
