package io.fjord.storage.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.storage.ProducerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerSnapshotFilesTest {
    @TempDir
    Path directory;

    private static final List<ProducerState> STATES = List.of(
            new ProducerState(7, (short) 3, List.of(new ProducerState.Batch(0, 4, 10, 14, 1_000),
                    new ProducerState.Batch(5, 5, 20, 20, 1_001)), 1_001, 9, -1),
            new ProducerState(8, (short) 0, List.of(), 55, -1, 30),
            new ProducerState(Long.MAX_VALUE, Short.MAX_VALUE, List.of(
                    new ProducerState.Batch(Integer.MAX_VALUE, 1, Long.MAX_VALUE - 2, Long.MAX_VALUE - 1, -1)),
                    -1, Integer.MAX_VALUE, -1));

    @Test
    void roundTripsEveryField() {
        ProducerSnapshotFiles files = new ProducerSnapshotFiles(directory);
        files.write(42, STATES, true);
        files.write(7, List.of(), false);
        assertThat(files.file(42)).exists().hasFileName("00000000000000000042.snapshot");
        assertThat(files.offsets()).containsExactly(7L, 42L);
        assertThat(new ProducerSnapshotFiles(directory).read(42)).contains(STATES);
        assertThat(files.read(7)).contains(List.of());
        assertThat(files.read(8)).isEmpty();
    }

    @Test
    void anyFlippedByteMakesTheSnapshotUnreadableAndDeletesIt() throws IOException {
        ProducerSnapshotFiles files = new ProducerSnapshotFiles(directory);
        files.write(42, STATES, false);
        byte[] good = Files.readAllBytes(files.file(42));
        for (int position = 0; position < good.length; position++) {
            byte[] bad = good.clone();
            bad[position] ^= 0x10;
            Files.write(files.file(42), bad);
            assertThat(files.read(42)).as("flipped byte %d", position).isEmpty();
            assertThat(files.file(42)).doesNotExist();
        }
        for (int length = 0; length < good.length; length++) {
            Files.write(files.file(42), java.util.Arrays.copyOf(good, length));
            assertThat(files.read(42)).as("truncated to %d bytes", length).isEmpty();
        }
    }

    @Test
    void aSnapshotRenamedToAnotherOffsetIsRefused() throws IOException {
        ProducerSnapshotFiles files = new ProducerSnapshotFiles(directory);
        files.write(42, STATES, false);
        Files.move(files.file(42), files.file(43));
        assertThat(files.read(43)).isEmpty();
    }

    @Test
    void temporaryFilesLeftByACrashAreRemovedOnOpen() throws IOException {
        Path leftover = directory.resolve("00000000000000000042" + ProducerSnapshotFiles.TEMPORARY_SUFFIX);
        Files.write(leftover, new byte[] {1, 2, 3});
        ProducerSnapshotFiles files = new ProducerSnapshotFiles(directory);
        assertThat(leftover).doesNotExist();
        assertThat(files.offsets()).isEmpty();
    }
}
