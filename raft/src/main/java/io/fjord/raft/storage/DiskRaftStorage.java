package io.fjord.raft.storage;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import io.fjord.raft.driver.RaftStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A Raft node's storage in its data directory, Kafka's metadata layout: {@code quorum-state} ({@link QuorumStateFile})
 * and the log {@code __cluster_metadata-0/} ({@link RaftLogStore}).
 *
 * <p>Not thread-safe: the driver's thread owns it.
 */
public final class DiskRaftStorage implements RaftStorage {
    private final Path dataDirectory;
    private final Collection<Integer> voterIds;
    private final int maxEntryBytes;
    private final QuorumStateFile quorumState;
    private ScheduledExecutorService background;
    private RaftLogStore log;

    /** Storage under {@code dataDirectory}; nothing is opened before {@link #recover()}. */
    public DiskRaftStorage(Path dataDirectory, Collection<Integer> voterIds, int maxEntryBytes) {
        this.dataDirectory = dataDirectory;
        this.voterIds = List.copyOf(voterIds);
        this.maxEntryBytes = maxEntryBytes;
        this.quorumState = new QuorumStateFile(dataDirectory);
    }

    @Override
    public Recovered recover() throws IOException {
        Files.createDirectories(dataDirectory);
        QuorumStateFile.Stored stored = quorumState.read();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "raft-log-background");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        background = executor;
        log = RaftLogStore.open(dataDirectory, voterIds, background);
        return new Recovered(stored.state(), stored.leaderId(), log.readAll(maxEntryBytes));
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
    public void close() {
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
