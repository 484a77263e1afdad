package io.fjord.raft.storage;

import io.fjord.raft.LogEntry;
import io.fjord.raft.records.EntryBatches;
import io.fjord.raft.records.InvalidEntriesException;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogConfig;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The Raft log on disk: the partition log {@code __cluster_metadata-0} of the storage module (Kafka's segment files,
 * record-batch v2), one batch per entry ({@link EntryBatches}). Opening recovers it as after a crash: every batch is
 * validated and a torn tail is truncated, so the entries read back are exactly the ones fully written.
 *
 * <p>Not thread-safe: the driver's thread owns it (the partition log's own locks are then uncontended).
 */
public final class RaftLogStore implements AutoCloseable {
    public static final String DIRECTORY_NAME = "__cluster_metadata-0";
    /** Metadata segments: Kafka's {@code metadata.log.segment.bytes} default is 1 GiB; smaller keeps recovery short. */
    static final int SEGMENT_BYTES = 64 * 1024 * 1024;
    private static final int READ_CHUNK_BYTES = 1024 * 1024;

    private final PartitionLog log;
    private final Collection<Integer> voterIds;

    private RaftLogStore(PartitionLog log, Collection<Integer> voterIds) {
        this.log = log;
        this.voterIds = List.copyOf(voterIds);
    }

    /**
     * Opens (creating if needed) the log under {@code dataDirectory}, recovering it. {@code background} runs the
     * partition log's post-roll flushes and delayed deletes.
     */
    public static RaftLogStore open(Path dataDirectory, Collection<Integer> voterIds,
            ScheduledExecutorService background) {
        // flush.messages and flush.ms stay at "never": the driver fsyncs before it acknowledges.
        // An entry's size is bounded by the core (maxEntryBytes, up to Kafka's 8 MiB metadata batches), not by the
        // topic default of max.message.bytes (1 MiB), which would fail the append as a storage error.
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, SEGMENT_BYTES)
                .with(LogConfig.RETENTION_MS, -1).with(LogConfig.MAX_MESSAGE_BYTES, SEGMENT_BYTES);
        PartitionLog log = PartitionLog.open(dataDirectory.resolve(DIRECTORY_NAME), config, 0, 0, false,
                InstantSource.system(), SegmentHandleCache.unbounded(), background);
        return new RaftLogStore(log, voterIds);
    }

    /**
     * Makes the log agree with the latest snapshot {@code snapshot} (null if none) after a restart: a log that ends
     * before the snapshot, starts after it, or whose entry before the snapshot's end has another epoch than the
     * snapshot (a crash between a fetched snapshot's install and the log's reset) is replaced by an empty log starting
     * at the snapshot's end; otherwise the entries below the snapshot's end are deleted.
     */
    public void alignWithSnapshot(io.fjord.raft.OffsetAndEpoch snapshot, int maxEntryBytes) {
        if (snapshot == null || log.logStartOffset() == snapshot.offset()) {
            return; // the log starts where the snapshot ends
        }
        long last = snapshot.offset() - 1;
        boolean consistent = log.logStartOffset() <= last && last < log.logEndOffset()
                && entryAt(last, maxEntryBytes).epoch() == snapshot.epoch();
        if (consistent) {
            deleteBefore(snapshot.offset());
        } else {
            resetTo(snapshot.offset());
        }
    }

    private LogEntry entryAt(long offset, int maxEntryBytes) {
        LogReadResult result = log.read(offset, maxEntryBytes + LogEntry.OVERHEAD_BYTES + 1024, Long.MAX_VALUE, true);
        try (FileSlice slice = result.slice()) {
            for (LogEntry entry : EntryBatches.decode(slice.readAll(), Integer.MAX_VALUE, maxEntryBytes)) {
                if (entry.offset() == offset) {
                    return entry;
                }
            }
        }
        throw new InvalidEntriesException("the log holds no entry at offset " + offset);
    }

    /**
     * Entries below {@code offset} are no longer needed (a snapshot covers them): the log start moves there and the
     * storage module deletes the segments wholly below it (Kafka's DeleteRecords path).
     */
    public void deleteBefore(long offset) {
        if (offset <= log.logStartOffset()) {
            return;
        }
        log.updateHighWatermark(offset);
        log.maybeAdvanceLogStartOffset(Math.min(offset, log.highWatermark()));
        log.deleteOldSegments();
    }

    /** Replaces the whole log by an empty one starting at {@code offset} (a fetched snapshot was installed). */
    public void resetTo(long offset) {
        log.truncateFullyAndStartAt(offset);
    }

    public long startOffset() {
        return log.logStartOffset();
    }

    /**
     * Every entry on disk, from the log start (the core keeps the whole log until snapshots exist), read and decoded
     * in chunks of {@link #READ_CHUNK_BYTES} so that the bytes are never all in memory beside the entries.
     */
    public List<LogEntry> readAll(int maxEntryBytes) {
        List<LogEntry> entries = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogReadResult result = log.read(offset, READ_CHUNK_BYTES, Long.MAX_VALUE, true);
            List<LogEntry> chunk;
            try (FileSlice slice = result.slice()) {
                chunk = EntryBatches.decode(slice.readAll(), Integer.MAX_VALUE, maxEntryBytes);
            }
            if (chunk.isEmpty() || chunk.get(0).offset() != offset) {
                throw new InvalidEntriesException("the log holds no entry at offset " + offset + " below its end "
                        + log.logEndOffset());
            }
            entries.addAll(chunk);
            offset = chunk.get(chunk.size() - 1).offset() + 1;
        }
        return entries;
    }

    public long endOffset() {
        return log.logEndOffset();
    }

    /** Appends entries that continue the log (not yet durable: see {@link #flush()}). */
    public void append(List<LogEntry> entries) {
        if (!entries.isEmpty()) {
            log.appendAsFollower(EntryBatches.encode(entries, voterIds));
        }
    }

    /** Removes every entry at or above {@code offset}. */
    public void truncateTo(long offset) {
        log.truncateTo(offset);
    }

    /** Makes every appended entry durable (fsync of the segments and their indexes). */
    public void flush() {
        log.flush();
    }

    @Override
    public void close() {
        log.close();
    }
}
