package io.fjord.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.raft.DurableState;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.driver.RaftStorage;
import io.fjord.storage.MetaProperties;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
    void theDirectoryIdIsCreatedOnceAndKeptAcrossRestarts() throws Exception {
        UUID created;
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            created = storage.directoryId();
        }
        assertThat(created).isNotEqualTo(ReplicaKey.NO_DIRECTORY);
        assertThat(MetaProperties.read(directory)).contains(MetaProperties.ofDirectory(created));
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            assertThat(storage.directoryId()).isEqualTo(created);
        }
    }

    @Test
    void aDirectoryFormattedForANodeGivesItsDirectoryId() throws Exception {
        UUID formatted = UUID.fromString("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
        MetaProperties.of("S1ko1WYJQiGxQO_oasZ_qg", 1, formatted).write(directory);
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            assertThat(storage.directoryId()).isEqualTo(formatted);
        }
        assertThat(MetaProperties.read(directory)).as("left as the node wrote it")
                .contains(MetaProperties.of("S1ko1WYJQiGxQO_oasZ_qg", 1, formatted));
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

    private Path logDirectory() {
        return directory.resolve(RaftLogStore.DIRECTORY_NAME);
    }

    @Test
    void aCreatedSnapshotIsNamedAsKafkasAndTheLogRestartsAfterItOnRecovery() throws Exception {
        OffsetAndEpoch id = new OffsetAndEpoch(3, 2);
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            storage.append(List.of(data(0, 1), data(1, 1), data(2, 2), data(3, 2), data(4, 2)));
            storage.flush();
            storage.createSnapshot(new OffsetAndEpoch(2, 1), ByteBuffer.wrap(new byte[] {9}));
            storage.createSnapshot(id, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            storage.deleteLogBefore(3);
            assertThat(storage.snapshots().sizeInBytes(id)).isEqualTo(3);
            assertThat(storage.snapshots().read(id, 1, 5)).containsExactly(2, 3);
            assertThat(storage.snapshots().sizeInBytes(new OffsetAndEpoch(2, 1))).isEqualTo(-1);
        }
        assertThat(logDirectory().resolve("00000000000000000003-0000000002.checkpoint")).exists();
        assertThat(logDirectory().resolve("00000000000000000002-0000000001.checkpoint")).doesNotExist();
        try (DiskRaftStorage storage = open()) {
            RaftStorage.Recovered recovered = storage.recover();
            assertThat(recovered.latestSnapshot()).isEqualTo(id);
            assertThat(recovered.log()).containsExactly(data(3, 2), data(4, 2));
            assertThat(storage.readSnapshot(id)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aSnapshotCoveringTheWholeLogLeavesAnEmptyLogThatContinuesAfterARestart() throws Exception {
        OffsetAndEpoch id = new OffsetAndEpoch(3, 1);
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            storage.append(List.of(data(0, 1), data(1, 1), data(2, 1)));
            storage.flush();
            storage.createSnapshot(id, ByteBuffer.wrap(new byte[] {7}));
            storage.deleteLogBefore(3);
            assertThat(storage.endOffset()).isEqualTo(3);
        }
        try (Stream<Path> files = Files.list(logDirectory())) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .doesNotContain("00000000000000000000.log");
        }
        try (DiskRaftStorage storage = open()) {
            RaftStorage.Recovered recovered = storage.recover();
            assertThat(recovered.latestSnapshot()).isEqualTo(id);
            assertThat(recovered.log()).isEmpty();
            storage.append(List.of(data(3, 2)));
            storage.flush();
        }
        try (DiskRaftStorage storage = open()) {
            assertThat(storage.recover().log()).containsExactly(data(3, 2));
        }
    }

    @Test
    void aFetchedSnapshotIsWrittenInChunksAndReplacesTheLogWhenInstalled() throws Exception {
        OffsetAndEpoch id = new OffsetAndEpoch(10, 4);
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            storage.append(List.of(data(0, 1), data(1, 1)));
            storage.flush();
            storage.writeSnapshotChunk(new SnapshotChunk(id, 0, new byte[] {1, 2}));
            assertThat(logDirectory().resolve("00000000000000000010-0000000004.checkpoint.part")).exists();
            storage.writeSnapshotChunk(new SnapshotChunk(id, 2, new byte[] {3}));
            storage.installSnapshot(id);
            assertThat(storage.endOffset()).isEqualTo(10);
            storage.append(List.of(data(10, 4)));
            storage.flush();
        }
        try (DiskRaftStorage storage = open()) {
            RaftStorage.Recovered recovered = storage.recover();
            assertThat(recovered.latestSnapshot()).isEqualTo(id);
            assertThat(recovered.log()).containsExactly(data(10, 4));
            assertThat(storage.readSnapshot(id)).containsExactly(1, 2, 3);
        }
        assertThat(logDirectory().resolve("00000000000000000010-0000000004.checkpoint.part")).doesNotExist();
    }

    @Test
    void recoveryDeletesPartialSnapshotsAndResetsALogThatDisagreesWithTheSnapshot() throws Exception {
        try (DiskRaftStorage storage = open()) {
            storage.recover();
            storage.append(List.of(data(0, 1), data(1, 1), data(2, 1)));
            storage.flush();
            storage.writeSnapshotChunk(new SnapshotChunk(new OffsetAndEpoch(7, 3), 0, new byte[] {5}));
        }
        // A crash after a fetched snapshot's rename and before the log's reset: the log's entry 1 has epoch 1,
        // the snapshot (2, 3) says epoch 3, so the log is replaced.
        Files.write(logDirectory().resolve("00000000000000000002-0000000003.checkpoint"), new byte[] {4});
        try (DiskRaftStorage storage = open()) {
            RaftStorage.Recovered recovered = storage.recover();
            assertThat(recovered.latestSnapshot()).isEqualTo(new OffsetAndEpoch(2, 3));
            assertThat(recovered.log()).isEmpty();
            assertThat(storage.endOffset()).isEqualTo(2);
        }
        assertThat(logDirectory().resolve("00000000000000000007-0000000003.checkpoint.part")).doesNotExist();
    }
}
