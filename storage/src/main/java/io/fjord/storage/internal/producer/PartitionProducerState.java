package io.fjord.storage.internal.producer;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.ProducerState;
import io.fjord.storage.StorageException;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.VerificationGuard;
import io.fjord.storage.internal.BatchHeader;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.SegmentScanner;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer state of one partition log with its snapshots: the {@link ProducerStateManager} kept in step with the
 * log through appends, rolls (a snapshot at each new segment's base offset), truncation and retention (snapshots
 * above the log end or below the first segment go; the newest {@link #SNAPSHOTS_RETAINED} stay), clean close (a
 * durable snapshot at the log end) and open (the newest readable snapshot at or below the log end, then a scan of
 * batch headers from there to the log end).
 *
 * <p>Not thread-safe: the owning {@code PartitionLog} calls every method under its append lock.
 */
public final class PartitionProducerState {
    /** Snapshots kept after each write, newest first; older ones are deleted. */
    public static final int SNAPSHOTS_RETAINED = 2;
    /** A transaction marker's batch is about 80 bytes; a control batch far larger is damage, not a marker. */
    private static final int MARKER_BATCH_BYTES_MAX = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProducerState.class);

    private final ProducerStateManager manager = new ProducerStateManager();
    private final ProducerSnapshotStore snapshots;

    public PartitionProducerState(ProducerSnapshotStore snapshots) {
        this.snapshots = snapshots;
    }

    /**
     * Loads the state of a log just opened from {@code directory}: its snapshots, then its batch headers; the
     * aborted-transaction indexes of segments from {@code rebuildTransactionIndexFrom} on (those recovery rebuilt) are
     * rewritten from the markers on the way.
     */
    public static PartitionProducerState load(Path directory, NavigableMap<Long, LogSegment> segments,
                                              long logEndOffset, long rebuildTransactionIndexFrom) {
        PartitionProducerState state = new PartitionProducerState(new ProducerSnapshotFiles(directory));
        state.reload(segments, logEndOffset, rebuildTransactionIndexFrom);
        return state;
    }

    /** {@link #reload(NavigableMap, long, long)} with no aborted-transaction index to rebuild (after truncation). */
    public void reload(NavigableMap<Long, LogSegment> segments, long logEndOffset) {
        reload(segments, logEndOffset, Long.MAX_VALUE);
    }

    /**
     * Rebuilds the state for a log that ends at {@code logEndOffset} (after open or truncation): deletes snapshots
     * above the log end or below the first segment, loads the newest readable one at or below
     * {@code rebuildTransactionIndexFrom}, and replays batch headers from its offset (or from the first segment) to
     * the log end, appending each ABORT marker at or after {@code rebuildTransactionIndexFrom} to its segment's
     * aborted-transaction index (those indexes were emptied by recovery).
     */
    public void reload(NavigableMap<Long, LogSegment> segments, long logEndOffset, long rebuildTransactionIndexFrom) {
        long firstSegmentBase = segments.firstKey();
        for (long offset : snapshots.offsets()) {
            if (offset > logEndOffset || offset < firstSegmentBase) {
                snapshots.delete(offset);
            }
        }
        manager.clear();
        long from = firstSegmentBase;
        for (long offset : snapshots.offsets().headSet(rebuildTransactionIndexFrom, true).descendingSet()) {
            Optional<List<ProducerState>> loaded = snapshots.read(offset);
            if (loaded.isPresent()) {
                manager.load(loaded.get());
                from = offset;
                break;
            }
        }
        for (LogSegment segment : segments.tailMap(rebuildTransactionIndexFrom, true).values()) {
            segment.transactionIndex().reset(); // every later segment too: the replay rewrites them all
        }
        int replayed = replay(segments, from, logEndOffset, rebuildTransactionIndexFrom);
        LOG.debug("Loaded the state of {} producers: snapshot at {}, then {} batches up to {}", manager.size(), from,
                replayed, logEndOffset);
    }

    /**
     * Applies the headers of batches overlapping [from, to) (and the marker of each control batch); returns how many
     * batches it read.
     */
    private int replay(NavigableMap<Long, LogSegment> segments, long from, long to, long rebuildTransactionIndexFrom) {
        if (from >= to) {
            return 0;
        }
        Long firstKey = segments.floorKey(from);
        int count = 0;
        for (LogSegment segment : segments.tailMap(firstKey == null ? segments.firstKey() : firstKey).values()) {
            if (segment.baseOffset() >= to || !segment.acquire(System.nanoTime())) {
                continue;
            }
            try {
                int end = segment.sizeBytes();
                BatchHeader first = segment.findBatch(from, end);
                if (first == null) {
                    continue;
                }
                SegmentScanner scanner = new SegmentScanner(segment.channel(), first.position(), end, false,
                        SegmentScanner.SCAN_CHUNK_BYTES);
                BatchHeader header;
                while ((header = scanner.next()) != null && header.baseOffset() < to) {
                    Optional<CompletedTransaction> completed = manager.apply(ProducerBatch.of(header,
                            markerOf(segment, header)));
                    if (completed.isPresent() && completed.get().aborted()
                            && header.baseOffset() >= rebuildTransactionIndexFrom) {
                        segment.transactionIndex().append(completed.get().toAborted());
                    }
                    count++;
                }
                if (scanner.invalidReason() != null) {
                    throw segment.corruption(scanner.position(), scanner.invalidReason());
                }
            } finally {
                segment.release();
            }
        }
        return count;
    }

    /** The transaction marker of a control batch with a producer id (read from the file), else null. */
    private static TransactionMarker markerOf(LogSegment segment, BatchHeader header) {
        if (!header.isControl() || header.producerId() < 0) {
            return null;
        }
        if (header.sizeBytes() > MARKER_BATCH_BYTES_MAX) {
            throw segment.corruption(header.position(), "control batch of " + header.sizeBytes()
                    + " bytes is larger than any transaction marker");
        }
        ByteBuffer bytes = segment.read(header.position(), header.sizeBytes());
        try {
            return TransactionMarker.of(new RecordBatch(bytes, 0)).orElse(null);
        } catch (RecordBatchException e) {
            throw segment.corruption(header.position(), e.getMessage());
        }
    }

    /**
     * Checks a leader append whose batches lie in {@code batches} (from position to limit), before offsets are
     * assigned: the KIP-890 verification when {@code verification} is not null
     * ({@link ProducerStateManager#checkVerified}), then the producer rules. Returns the original batch when the
     * append is a retry of one; see {@link ProducerStateManager#checkLeaderAppend}.
     */
    public Optional<ProducerState.Batch> checkLeaderAppend(ByteBuffer batches, VerificationGuard verification) {
        List<ProducerBatch> producerBatches = new ArrayList<>();
        boolean anyProducer = false;
        for (RecordBatch batch : RecordBatches.of(batches.duplicate())) {
            ProducerBatch producerBatch = ProducerBatch.of(batch);
            anyProducer |= producerBatch.hasProducerId();
            producerBatches.add(producerBatch);
        }
        if (anyProducer && verification != null) {
            manager.checkVerified(producerBatches, verification);
        }
        return anyProducer ? manager.checkLeaderAppend(producerBatches) : Optional.empty();
    }

    /**
     * Checks a coordinator's batches: the epochs ({@link ProducerStateManager#checkCoordinatorAppend}), then, when
     * {@code verification} is not null, the KIP-890 verification ({@link ProducerStateManager#checkVerified}), in
     * Kafka's order (a stale epoch is INVALID_PRODUCER_EPOCH whatever the guard).
     */
    public void checkCoordinatorAppend(ByteBuffer batches, VerificationGuard verification) {
        List<ProducerBatch> producerBatches = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(batches.duplicate())) {
            producerBatches.add(ProducerBatch.of(batch));
        }
        manager.checkCoordinatorAppend(producerBatches);
        if (verification != null) {
            manager.checkVerified(producerBatches, verification);
        }
    }

    /** See {@link ProducerStateManager#startVerification(long, short, boolean, long)}. */
    public VerificationGuard startVerification(long producerId, short producerEpoch, boolean supportsEpochBump,
                                               long nowMs) {
        return manager.startVerification(producerId, producerEpoch, supportsEpochBump, nowMs);
    }

    /**
     * Checks a transaction marker's control batch a coordinator asks the leader to append; see
     * {@link ProducerStateManager#checkMarker}.
     */
    public void checkMarker(ByteBuffer batch) {
        ProducerBatch marker = ProducerBatch.of(RecordBatch.at(batch));
        if (marker.marker() == null) {
            throw new IllegalArgumentException("not a transaction marker batch");
        }
        manager.checkMarker(marker);
    }

    /**
     * Records batches just written, with their final offsets (leader and follower appends). Returns the transactions
     * their markers ended, in order; the caller indexes the aborted ones.
     */
    public List<CompletedTransaction> onAppended(ByteBuffer batches) {
        List<CompletedTransaction> completed = List.of();
        for (RecordBatch batch : RecordBatches.of(batches.duplicate())) {
            if (batch.producerId() >= 0) {
                Optional<CompletedTransaction> ended = manager.apply(ProducerBatch.of(batch));
                if (ended.isPresent()) {
                    completed = completed.isEmpty() ? new ArrayList<>() : completed;
                    completed.add(ended.get());
                }
            }
        }
        return completed;
    }

    /** See {@link ProducerStateManager#onHighWatermarkUpdated}. */
    public void onHighWatermarkUpdated(long highWatermark) {
        manager.onHighWatermarkUpdated(highWatermark);
    }

    /** See {@link ProducerStateManager#firstUnstableOffset}. */
    public long firstUnstableOffset() {
        return manager.firstUnstableOffset();
    }

    /** Takes the snapshot at a new segment's base offset (the state covers every batch below it). */
    public void onRoll(long baseOffset) {
        takeSnapshot(baseOffset, false);
    }

    /**
     * Takes a durable snapshot at the log end offset; the next open then has nothing to replay. A failure is logged,
     * not thrown: the close must go on, and the next open rebuilds the state from an older snapshot and the log.
     */
    public void onClose(long logEndOffset) {
        try {
            takeSnapshot(logEndOffset, true);
        } catch (StorageException e) {
            LOG.warn("Cannot snapshot producer state at offset {}; the next open replays the log", logEndOffset, e);
        }
    }

    private void takeSnapshot(long offset, boolean durable) {
        snapshots.write(offset, manager.states(), durable);
        List<Long> offsets = new ArrayList<>(snapshots.offsets().descendingSet());
        for (long old : offsets.subList(Math.min(SNAPSHOTS_RETAINED, offsets.size()), offsets.size())) {
            snapshots.delete(old);
        }
    }

    /** Retention removed segments: snapshots below the new first segment go with them. */
    public void onSegmentsDeleted(long firstSegmentBase) {
        for (long offset : snapshots.offsets().headSet(firstSegmentBase, false)) {
            snapshots.delete(offset);
        }
    }

    /** The log was emptied and restarts at some offset: no state and no snapshot survive. */
    public void onTruncatedFully() {
        manager.clear();
        for (long offset : snapshots.offsets()) {
            snapshots.delete(offset);
        }
    }

    public int removeExpired(long nowMs, long expirationMs) {
        return manager.removeExpired(nowMs, expirationMs);
    }

    public Map<Long, ProducerState> producers() {
        return manager.producers();
    }
}
