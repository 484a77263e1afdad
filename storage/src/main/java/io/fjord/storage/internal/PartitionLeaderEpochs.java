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
 * Keeps a partition log's {@link LeaderEpochCache} in step with the log and in its {@code leader-epoch-checkpoint}:
 * epochs are assigned before the batches that carry them are written, truncation and log-start moves trim it, and
 * every change is written to the checkpoint before it is published.
 *
 * <p>Durability follows the log's. A new epoch ({@link #assign}, {@link #assignEpochsOf}: a new leader's epoch start,
 * a follower's first batch of an epoch) is written without an fsync, so that a broker taking over 1,000 leaderships
 * does not wait for 2,000 fsyncs; {@link #makeDurable} fsyncs it, and the log calls it before its recovery point
 * passes any batch (a flush) and when it closes. After an operating-system crash the checkpoint therefore names every
 * epoch of the batches below the recovery point, and {@link #load} re-assigns the epochs of every batch that recovery
 * re-validated (the segments from the recovery point on) from their headers, as Kafka's segment recovery does; an
 * epoch start with no batch behind it is dropped by any reopen anyway. Truncations are rare and written with their
 * fsyncs. A process crash loses nothing written (the page cache survives it).
 *
 * <p>On open the checkpoint is read; when it is missing or malformed the cache is rebuilt by a scan of every batch
 * header of the log (the load scan after a clean shutdown reads no batches, so it cannot serve), and written back.
 *
 * <p>Thread-safety: changes must be serialized by the caller (the log's append lock); writes and
 * {@link #makeDurable} are serialized by this object's monitor (a flush makes the epochs durable without the log's
 * lock); the cache is published through a volatile field, so queries take no lock.
 */
public final class PartitionLeaderEpochs {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLeaderEpochs.class);

    private final LeaderEpochCheckpointFile checkpoint;
    private volatile LeaderEpochCache cache;
    /** Whether the checkpoint file's content is fsync'd; guarded by this object's monitor. */
    private boolean durable = true;

    private PartitionLeaderEpochs(LeaderEpochCheckpointFile checkpoint, LeaderEpochCache cache) {
        this.checkpoint = checkpoint;
        this.cache = cache;
    }

    /**
     * Loads the epochs of a log just opened from {@code directory}, whose batches lie in {@code segments} and which
     * spans [{@code logStartOffset}, {@code logEndOffset}), and trims them to that range. The batches from
     * {@code firstRecoveredOffset} on (recovery re-validated their segments; {@code Long.MAX_VALUE}: none) have their
     * epochs assigned again, since the checkpoint may not have been durable for them.
     */
    public static PartitionLeaderEpochs load(Path directory, NavigableMap<Long, LogSegment> segments,
                                             long logStartOffset, long logEndOffset, long firstRecoveredOffset) {
        LeaderEpochCheckpointFile checkpoint = new LeaderEpochCheckpointFile(directory);
        Optional<LeaderEpochCache> stored = checkpoint.read().map(LeaderEpochCache::of);
        LeaderEpochCache loaded;
        if (stored.isEmpty()) {
            loaded = rebuild(segments, logEndOffset);
        } else if (firstRecoveredOffset < logEndOffset) {
            // The checkpoint's entries from the recovered segments on may lack epochs or name ones recovery cut off:
            // that part comes from the batches recovery kept (the part before it was durable before any flush).
            loaded = assignFromHeaders(stored.get().truncateFromEnd(firstRecoveredOffset),
                    segments.tailMap(firstRecoveredOffset, true), logEndOffset);
        } else {
            loaded = stored.get();
        }
        LeaderEpochCache trimmed = loaded.truncateFromEnd(logEndOffset).truncateFromStart(logStartOffset);
        PartitionLeaderEpochs epochs = new PartitionLeaderEpochs(checkpoint, trimmed);
        if (stored.isEmpty() ? !trimmed.isEmpty() : !trimmed.equals(stored.get())) {
            checkpoint.write(trimmed.entries());
        }
        return epochs;
    }

    /** The cache as the log's batches give it: each batch's partition leader epoch assigned at its base offset. */
    public static LeaderEpochCache rebuild(NavigableMap<Long, LogSegment> segments, long logEndOffset) {
        LeaderEpochCache cache = assignFromHeaders(LeaderEpochCache.empty(), segments, logEndOffset);
        LOG.info("Rebuilt the leader-epoch cache of {}: {}",
                segments.isEmpty() ? "an empty log" : segments.firstEntry().getValue().directory(), cache);
        return cache;
    }

    /** {@code cache} with the partition leader epoch of every batch of {@code segments} below the log end assigned. */
    private static LeaderEpochCache assignFromHeaders(LeaderEpochCache cache, NavigableMap<Long, LogSegment> segments,
                                                      long logEndOffset) {
        LeaderEpochCache assigned = cache;
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
                        assigned = assigned.assign(header.partitionLeaderEpoch(), header.baseOffset());
                    }
                }
                if (scanner.invalidReason() != null) {
                    throw segment.corruption(scanner.position(), scanner.invalidReason());
                }
            } finally {
                segment.release();
            }
        }
        return assigned;
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
            update(cache.assign(leaderEpoch, firstOffset), false);
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
        update(next, false);
    }

    /** The log was truncated to end at {@code logEndOffset}. */
    public void truncateFromEnd(long logEndOffset) {
        update(cache.truncateFromEnd(logEndOffset), true);
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
        update(next, true);
    }

    /** The log was emptied. */
    public void clear() {
        update(LeaderEpochCache.empty(), true);
    }

    /**
     * Fsyncs the checkpoint if a change was written without: the log calls it before its recovery point moves past
     * any batch, and at close, so every epoch below the recovery point is durable.
     */
    public synchronized void makeDurable() {
        if (!durable) {
            checkpoint.force();
            durable = true;
        }
    }

    /** Whether every change is fsync'd (nothing awaits {@link #makeDurable}); for tests. */
    public synchronized boolean isDurable() {
        return durable;
    }

    private synchronized void update(LeaderEpochCache next, boolean sync) {
        if (next != cache && !next.equals(cache)) {
            checkpoint.write(next.entries(), sync);
            durable = sync;
            cache = next;
        }
    }
}
