package io.fjord.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.raft.DurableState;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.driver.RaftStorage;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskRaftStorageTest {
    @TempDir
    Path directory;

    private static LogEntry data(long offset, int epoch) {
        return new LogEntry(offset, epoch, EntryType.DATA, ("e" + offset).getBytes());
    }

    private DiskRaftStorage open() {
        return new DiskRaftStorage(directory, Set.of(1, 2, 3), 2048);
    }

    @Test
    void stateAndLogSurviveARestartWithTruncationsApplied() throws Exception {
        try (DiskRaftStorage storage = open()) {
            assertThat(storage.recover()).isEqualTo(new RaftStorage.Recovered(DurableState.INITIAL, -1, List.of()));
            storage.writeDurableState(new DurableState(2, 1), 1);
            storage.append(List.of(data(0, 1), data(1, 1), data(2, 2)));
            storage.truncateTo(1);
            storage.append(List.of(data(1, 2)));
            storage.flush();
        }
        try (DiskRaftStorage storage = open()) {
            RaftStorage.Recovered recovered = storage.recover();
            assertThat(recovered.state()).isEqualTo(new DurableState(2, 1));
            assertThat(recovered.leaderId()).isEqualTo(1);
            assertThat(recovered.log()).containsExactly(data(0, 1), data(1, 2));
            assertThat(storage.endOffset()).isEqualTo(2);
        }
        assertThat(directory.resolve(RaftLogStore.DIRECTORY_NAME).resolve("00000000000000000000.log")).exists();
    }

    @Test
    void aLogOfManyMegabytesIsReadBackInChunksInOrder() throws Exception {
        List<LogEntry> written = new java.util.ArrayList<>();
        for (int offset = 0; offset < 3000; offset++) {
            written.add(new LogEntry(offset, 1 + offset / 1000, EntryType.DATA, new byte[1000 + offset % 7]));
        }
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            storage.append(written.subList(0, 1500));
            storage.append(written.subList(1500, 3000));
            storage.flush();
        }
        try (DiskRaftStorage storage = open()) {
            assertThat(storage.recover().log()).isEqualTo(written);
        }
    }

    @Test
    void aTornTailIsCutOnRecovery() throws Exception {
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            storage.append(List.of(data(0, 1), data(1, 1)));
            storage.flush();
        }
        Path segment;
        try (Stream<Path> files = Files.list(directory.resolve(RaftLogStore.DIRECTORY_NAME))) {
            segment = files.filter(path -> path.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 5); // the last batch loses its end, as in a crash mid-write
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), size - 5);
        }
        try (DiskRaftStorage storage = open()) {
            assertThat(storage.recover().log()).containsExactly(data(0, 1));
            assertThat(storage.endOffset()).isEqualTo(1);
            storage.append(List.of(data(1, 3)));
            storage.flush();
        }
        try (DiskRaftStorage storage = open()) {
            assertThat(storage.recover().log()).containsExactly(data(0, 1), data(1, 3));
        }
    }
}
