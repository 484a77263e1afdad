package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.EpochEndOffset;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a partition log's {@link LeaderEpochCache} in step with the log and durable in its
 * {@code leader-epoch-checkpoint}: epochs are assigned before the batches that carry them are written (so after a
 * crash the checkpoint names every epoch in the log, and opening trims entries beyond the log end), truncation and
 * log-start moves trim it, and every change is written to the checkpoint before it is published. A new epoch or a
 * truncation is rare, so appends almost never pay for a checkpoint write.
 *
 * <p>On open the checkpoint is read; when it is missing or malformed the cache is rebuilt by a scan of every batch
 * header of the log (the load scan after a clean shutdown reads no batches, so it cannot serve), and written back.
 *
 * <p>Thread-safety: changes must be serialized by the caller (the log's append lock); the cache is published through
 * a volatile field, so queries take no lock.
 */
public final class PartitionLeaderEpochs {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLeaderEpochs.class);

    private final LeaderEpochCheckpointFile checkpoint;
    private volatile LeaderEpochCache cache;

    private PartitionLeaderEpochs(LeaderEpochCheckpointFile checkpoint, LeaderEpochCache cache) {
        this.checkpoint = checkpoint;
        this.cache = cache;
    }

    /**
     * Loads the epochs of a log just opened from {@code directory}, whose batches lie in {@code segments} and which
     * spans [{@code logStartOffset}, {@code logEndOffset}), and trims them to that range.
     */
    public static PartitionLeaderEpochs load(Path directory, NavigableMap<Long, LogSegment> segments,
                                             long logStartOffset, long logEndOffset) {
        LeaderEpochCheckpointFile checkpoint = new LeaderEpochCheckpointFile(directory);
        Optional<LeaderEpochCache> stored = checkpoint.read().map(LeaderEpochCache::of);
        LeaderEpochCache loaded = stored.orElseGet(() -> rebuild(segments, logEndOffset));
        LeaderEpochCache trimmed = loaded.truncateFromEnd(logEndOffset).truncateFromStart(logStartOffset);
        PartitionLeaderEpochs epochs = new PartitionLeaderEpochs(checkpoint, trimmed);
        if (stored.isEmpty() ? !trimmed.isEmpty() : !trimmed.equals(stored.get())) {
            checkpoint.write(trimmed.entries());
        }
        return epochs;
    }

    /** The cache as the log's batches give it: each batch's partition leader epoch assigned at its base offset. */
    public static LeaderEpochCache rebuild(NavigableMap<Long, LogSegment> segments, long logEndOffset) {
        LeaderEpochCache cache = LeaderEpochCache.empty();
        int batches = 0;
        for (LogSegment segment : segments.values()) {
            if (segment.baseOffset() >= logEndOffset || !segment.acquire(System.nanoTime())) {
                continue;
            }
            try {
                SegmentScanner scanner = new SegmentScanner(segment.channel(), 0, segment.sizeBytes(), false,
                        SegmentScanner.SCAN_CHUNK_BYTES);
                BatchHeader header;
                while ((header = scanner.next()) != null && header.baseOffset() < logEndOffset) {
                    if (header.partitionLeaderEpoch() >= 0) {
                        cache = cache.assign(header.partitionLeaderEpoch(), header.baseOffset());
                    }
                    batches++;
                }
                if (scanner.invalidReason() != null) {
                    throw segment.corruption(scanner.position(), scanner.invalidReason());
                }
            } finally {
                segment.release();
            }
        }
        LOG.info("Rebuilt the leader-epoch cache of {} from {} batches: {}",
                segments.isEmpty() ? "an empty log" : segments.firstEntry().getValue().directory(), batches, cache);
        return cache;
    }

    public LeaderEpochCache cache() {
        return cache;
    }

    public OptionalInt latestEpoch() {
        return cache.latestEpoch();
    }

    /** See {@link LeaderEpochCache#endOffsetFor}; read the log end offset before calling, so both agree. */
    public Optional<EpochEndOffset> endOffsetFor(int requestedEpoch, long logEndOffset) {
        return cache.endOffsetFor(requestedEpoch, logEndOffset);
    }

    /** A leader append of epoch {@code leaderEpoch} starts at {@code firstOffset}; a negative epoch is not recorded. */
    public void assign(int leaderEpoch, long firstOffset) {
        if (leaderEpoch >= 0) {
            update(cache.assign(leaderEpoch, firstOffset));
        }
    }

    /** Records the epochs of batches about to be appended with their final offsets (follower appends). */
    public void assignEpochsOf(ByteBuffer batches) {
        LeaderEpochCache next = cache;
        for (RecordBatch batch : RecordBatches.of(batches.duplicate())) {
            if (batch.partitionLeaderEpoch() >= 0) {
                next = next.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
            }
        }
        update(next);
    }

    /** The log was truncated to end at {@code logEndOffset}. */
    public void truncateFromEnd(long logEndOffset) {
        update(cache.truncateFromEnd(logEndOffset));
    }

    /**
     * The log now starts at {@code logStartOffset} and ends at {@code logEndOffset}. An entry moved up to the log end
     * (the log start reached it) names no data and goes, as a reopen would drop it; an entry that already started at
     * the log end (a new leader's epoch start, {@link #assign}ed before any append) stays.
     */
    public void truncateFromStart(long logStartOffset, long logEndOffset) {
        LeaderEpochCache next = cache.truncateFromStart(logStartOffset);
        if (!next.isEmpty() && next.entries().get(0).startOffset() >= logEndOffset
                && !cache.entries().contains(next.entries().get(0))) {
            next = next.truncateFromEnd(logEndOffset);
        }
        update(next);
    }

    /** The log was emptied. */
    public void clear() {
        update(LeaderEpochCache.empty());
    }

    private void update(LeaderEpochCache next) {
        if (next != cache && !next.equals(cache)) {
            checkpoint.write(next.entries());
            cache = next;
        }
    }
}
