package io.fjord.raft.storage;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.SnapshotReader;
import io.fjord.raft.driver.RaftStorage;
import io.fjord.storage.MetaProperties;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A Raft node's storage in its data directory, Kafka's metadata layout: {@code quorum-state} ({@link QuorumStateFile}),
 * {@code meta.properties} (the directory id, through the storage module's {@link MetaProperties}),
 * the log {@code __cluster_metadata-0/} ({@link RaftLogStore}) and its snapshots beside the segments
 * ({@link SnapshotStore}).
 *
 * <p>Not thread-safe: the driver's thread owns it.
 */
public final class DiskRaftStorage implements RaftStorage {
    private final Path dataDirectory;
    private final Collection<Integer> voterIds;
    private final int maxEntryBytes;
    private final QuorumStateFile quorumState;
    private ScheduledExecutorService background;
    private final SnapshotStore snapshots;
    private RaftLogStore log;
    private UUID directoryId = ReplicaKey.NO_DIRECTORY;

    /** Storage under {@code dataDirectory}; nothing is opened before {@link #recover()}. */
    public DiskRaftStorage(Path dataDirectory, Collection<Integer> voterIds, int maxEntryBytes) {
        this.dataDirectory = dataDirectory;
        this.voterIds = List.copyOf(voterIds);
        this.maxEntryBytes = maxEntryBytes;
        this.quorumState = new QuorumStateFile(dataDirectory);
        this.snapshots = new SnapshotStore(dataDirectory.resolve(RaftLogStore.DIRECTORY_NAME));
    }

    @Override
    public Recovered recover() throws IOException {
        Files.createDirectories(dataDirectory);
        QuorumStateFile.Stored stored = quorumState.read();
        directoryId = MetaProperties.readOrCreateDirectoryId(dataDirectory, UUID::randomUUID);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "raft-log-background");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        background = executor;
        log = RaftLogStore.open(dataDirectory, voterIds, background);
        OffsetAndEpoch latest = snapshots.recover();
        log.alignWithSnapshot(latest, maxEntryBytes);
        return new Recovered(stored.state(), stored.leaderId(), latest, log.readAll(maxEntryBytes));
    }

    @Override
    public void writeDurableState(DurableState state, int leaderId) throws IOException {
        quorumState.write(state, leaderId);
    }

    @Override
    public void truncateTo(long offset) {
        log.truncateTo(offset);
    }

    @Override
    public void append(List<LogEntry> entries) {
        log.append(entries);
    }

    @Override
    public void flush() {
        log.flush();
    }

    @Override
    public long endOffset() {
        return log.endOffset();
    }

    @Override
    public UUID directoryId() {
        return directoryId;
    }

    @Override
    public SnapshotReader snapshots() {
        return snapshots;
    }

    @Override
    public void createSnapshot(OffsetAndEpoch snapshotId, ByteBuffer bytes) throws IOException {
        snapshots.create(snapshotId, bytes);
    }

    @Override
    public void writeSnapshotChunk(SnapshotChunk chunk) throws IOException {
        snapshots.writeChunk(chunk);
    }

    @Override
    public void installSnapshot(OffsetAndEpoch snapshotId) throws IOException {
        // The snapshot is durable before the log goes: a crash in between is repaired by alignWithSnapshot.
        snapshots.install(snapshotId);
        log.resetTo(snapshotId.offset());
    }

    @Override
    public byte[] readSnapshot(OffsetAndEpoch snapshotId) throws IOException {
        return snapshots.readAll(snapshotId);
    }

    @Override
    public void deleteLogBefore(long offset) {
        log.deleteBefore(offset);
    }

    @Override
    public void close() throws IOException {
        snapshots.close();
        if (log != null) {
            log.close();
        }
        if (background != null) {
            background.shutdown();
            try {
                background.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
