package io.fjord.storage;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.internal.AppendValidation;
import io.fjord.storage.internal.LogDirectoryLoader;
import io.fjord.storage.internal.LogEnd;
import io.fjord.storage.internal.LogLoader;
import io.fjord.storage.internal.LogReads;
import io.fjord.storage.internal.LogBackgroundTasks;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.PartitionLeaderEpochs;
import io.fjord.storage.internal.RetentionSelection;
import io.fjord.storage.internal.SegmentHandleCache;
import io.fjord.storage.internal.SegmentRollRule;
import io.fjord.storage.internal.TimestampLookups;
import io.fjord.storage.internal.WholeLogReads;
import io.fjord.storage.internal.producer.CompletedTransaction;
import io.fjord.storage.internal.producer.PartitionProducerState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered set of segments, the newest active. The façade over segments, indexes,
 * recovery and retention that the broker, replication and the coordinators use.
 *
 * <p>Thread-safety: appends, truncation, rolls, retention and segment swaps are serialized by one lock. Reads take no
 * lock: they read the volatile {@link LogEnd} once and the concurrent segment map, and hold a reference on the
 * segment they read so it cannot close or vanish under them. Flushes are serialized by their own lock so an fsync
 * never blocks appends. Producer state (idempotence) is guarded by the append lock.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final Path directory;
    private final TopicPartition topicPartition;
    private final InstantSource clock;
    private final SegmentHandleCache handleCache;
    private final LogBackgroundTasks tasks;
    private final ConcurrentNavigableMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();

    private volatile LogConfig config;
    private volatile LogEnd logEnd;
    private volatile long logStartOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    /** First offset of the earliest unstable transaction, or -1; published under the lock, read after the HW. */
    private volatile long firstUnstableOffset = -1;
    private volatile long lastFlushMs;
    private volatile boolean closed;
    private PartitionProducerState producerState; // set once by open(), before the log is shared; under lock
    private PartitionLeaderEpochs leaderEpochs; // set once by open(), before the log is shared; changed under lock

    private PartitionLog(Path directory, TopicPartition topicPartition, LogConfig config, InstantSource clock,
                         SegmentHandleCache handleCache, ScheduledExecutorService background) {
        this.directory = directory;
        this.topicPartition = topicPartition;
        this.config = config;
        this.clock = clock;
        this.handleCache = handleCache;
        this.tasks = new LogBackgroundTasks(background, topicPartition);
    }

    /** Opens the log with its high watermark at the log start offset; see the full {@code open}. */
    public static PartitionLog open(Path directory, LogConfig config, long recoveryPoint, long logStartOffset,
                                    boolean cleanShutdown, InstantSource clock, SegmentHandleCache handleCache,
                                    ScheduledExecutorService background) {
        return open(directory, config, recoveryPoint, logStartOffset, 0, cleanShutdown, clock, handleCache, background);
    }

    /**
     * Opens (creating if needed) the log in {@code directory}, recovering after an unclean shutdown, with its
     * leader-epoch cache loaded ({@link PartitionLeaderEpochs#load}) and trimmed to the log.
     *
     * @param recoveryPoint  offset below which data was flushed, from the recovery-point checkpoint (0 if unknown)
     * @param logStartOffset log start offset from its checkpoint (0 if unknown)
     * @param highWatermark  high watermark from its checkpoint (0 if unknown); kept within [log start, log end]
     * @param cleanShutdown  whether the previous process closed the log cleanly
     * @param background     runs flushes after rolls and delayed file deletes
     */
    public static PartitionLog open(Path directory, LogConfig config, long recoveryPoint, long logStartOffset,
                                    long highWatermark, boolean cleanShutdown, InstantSource clock,
                                    SegmentHandleCache handleCache, ScheduledExecutorService background) {
        TopicPartition topicPartition = TopicPartition.fromDirectoryName(directory.getFileName().toString());
        PartitionLog log = new PartitionLog(directory, topicPartition, config, clock, handleCache, background);
        LogLoader.Loaded loaded = LogLoader.load(directory, config, recoveryPoint, cleanShutdown, handleCache,
                logStartOffset, clock.millis());
        log.segments.putAll(loaded.segments());
        log.logStartOffset = Math.min(Math.max(logStartOffset, loaded.segments().firstKey()), loaded.logEndOffset());
        log.recoveryPoint = loaded.recoveryPoint();
        LogSegment active = loaded.segments().lastEntry().getValue();
        log.logEnd = new LogEnd(loaded.logEndOffset(), active, active.sizeBytes());
        log.highWatermark = Math.max(log.logStartOffset, Math.min(highWatermark, loaded.logEndOffset()));
        log.lastFlushMs = clock.millis();
        log.producerState = PartitionProducerState.load(directory, loaded.segments(), loaded.logEndOffset(),
                loaded.firstRecoveredOffset());
        log.onProducerStateChanged();
        log.leaderEpochs = PartitionLeaderEpochs.load(directory, loaded.segments(), log.logStartOffset,
                loaded.logEndOffset(), loaded.firstRecoveredOffset());
        return log;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path directory() {
        return directory;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEnd.offset();
    }

    public long highWatermark() {
        return highWatermark;
    }

    /**
     * The last stable offset (KIP-98): the high watermark, or the first offset of the earliest transaction still
     * unstable (open, or ended by a marker the high watermark has not passed) when that is lower, never below the log
     * start offset (Kafka's rule: retention may remove a hanging transaction's first batches). Read-committed consumers
     * read only below it.
     */
    public long lastStableOffset() {
        long watermark = highWatermark; // first: a transaction that begins below a newer one was published before it
        long unstable = firstUnstableOffset;
        return unstable < 0 ? watermark : Math.min(watermark, Math.max(unstable, logStartOffset));
    }

    /** Aborted transactions overlapping [start, upper bound) for read_committed (collectAbortedTransactions). */
    public List<AbortedTransaction> abortedTransactions(long startOffset, long upperBoundOffset) {
        return LogReads.abortedTransactions(segments, startOffset, upperBoundOffset);
    }

    /** Publishes the first unstable offset after producer state or the high watermark changed. Under the lock. */
    private void onProducerStateChanged() {
        producerState.onHighWatermarkUpdated(highWatermark);
        firstUnstableOffset = producerState.firstUnstableOffset();
    }

    public long recoveryPoint() {
        return recoveryPoint;
    }

    public long lastFlushMs() {
        return lastFlushMs;
    }

    /** Total bytes of all segments. */
    public long sizeBytes() {
        return segments.values().stream().mapToLong(LogSegment::sizeBytes).sum();
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Base offsets of the segments, oldest first. */
    public List<Long> segmentBaseOffsets() {
        return new ArrayList<>(segments.keySet());
    }

    /** Segments, oldest first; for the cleaner and tools inside the storage module. */
    public Collection<LogSegment> segments() {
        return segments.values();
    }

    /** Sets the high watermark, kept within [log start offset, log end offset]. */
    public void updateHighWatermark(long offset) {
        lock.lock();
        try {
            highWatermark = Math.max(logStartOffset, Math.min(offset, logEnd.offset()));
            onProducerStateChanged();
        } finally {
            lock.unlock();
        }
    }

    /** The epoch of the last leader that wrote to this log (its latest leader-epoch entry); empty if none. */
    public OptionalInt latestEpoch() {
        return leaderEpochs.latestEpoch();
    }

    /**
     * Kafka's OffsetForLeaderEpoch answer from this log: the largest epoch at most {@code requestedEpoch} and where it
     * ends (the next epoch's start offset; the log end offset for the latest epoch; the earliest epoch's start offset
     * for an epoch older than every one kept). Empty for an epoch above every known one or when no epoch is known.
     */
    public Optional<EpochEndOffset> endOffsetForEpoch(int requestedEpoch) {
        long endOffset = logEnd.offset(); // first: every epoch of the data below it is in the cache read after
        return leaderEpochs.endOffsetFor(requestedEpoch, endOffset);
    }

    /** Whether the leader-epoch checkpoint is fsync'd (no new epoch awaits the next flush or close); for tests. */
    public boolean leaderEpochsDurable() {
        return leaderEpochs.isDurable();
    }

    /**
     * Records that {@code leaderEpoch} starts at {@code startOffset}, Kafka's {@code assignEpochStartOffset}: a new
     * leader calls it with its log end offset, so OffsetForLeaderEpoch answers the new epoch (and a follower with a
     * later epoch's entries truncates to the right offset) before the leader appends anything. Not fsync'd before
     * the next flush ({@link PartitionLeaderEpochs}); as in Kafka, a reopen drops an entry at the log end that no batch
     * carries yet (the next leadership assigns it again).
     *
     * @throws IllegalArgumentException if {@code startOffset} is beyond the log end offset
     */
    public void assignEpochStartOffset(int leaderEpoch, long startOffset) {
        lock.lock();
        try {
            ensureOpen();
            if (startOffset > logEnd.offset()) {
                throw new IllegalArgumentException("leader epoch " + leaderEpoch + " cannot start at " + startOffset
                        + ", beyond the log end offset " + logEnd.offset() + " of " + topicPartition);
            }
            leaderEpochs.assign(leaderEpoch, startOffset);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- append

    /**
     * Appends batches a producer sent: validates each (frame, CRC-32C, magic, record count, {@code max.message.bytes}),
     * checks idempotent batches against the producer state (epoch, sequence), assigns offsets in place from the log
     * end offset, stamps {@code leaderEpoch} into each batch header (outside the CRC) and, for LogAppendTime topics,
     * the append time; a new epoch's first offset enters the leader-epoch cache. Records are never re-encoded. A retry
     * of one of its producer's last five batches is not written again: the result has {@link AppendResult#duplicate()}
     * and the original offsets. With KIP-890 verification on ({@code verification} not null), a transactional batch
     * outside an ongoing transaction, lacking the live {@link #startTransactionVerification} guard: INVALID_TXN_STATE.
     *
     * @throws RecordBatchException with the Kafka error for an invalid batch; nothing is appended then
     */
    public AppendResult appendAsLeader(ByteBuffer batches, int leaderEpoch, VerificationGuard verification) {
        return append(batches, leaderEpoch, true, false, verification);
    }

    /** {@link #appendAsLeader(ByteBuffer, int, VerificationGuard)} with verification off. */
    public AppendResult appendAsLeader(ByteBuffer batches, int leaderEpoch) {
        return appendAsLeader(batches, leaderEpoch, null);
    }

    /** Starts verifying a transactional batch ({@code epochBump}: transaction protocol v2; ProducerStateManager). */
    public VerificationGuard startTransactionVerification(long producerId, short producerEpoch, boolean epochBump) {
        return withLock(() -> producerState.startVerification(producerId, producerEpoch, epochBump, clock.millis()));
    }

    /**
     * Appends a coordinator's own batches as leader (Kafka's coordinator origin), as {@link #appendAsLeader} but with
     * only the producer epoch checked for a producer's batches: a group coordinator writes a producer's transactional
     * offset commits with sequence numbers it does not keep, so sequences and retries are not checked. With KIP-890
     * verification ({@code verification} not null), then as for {@link #appendAsLeader}.
     *
     * @throws RecordBatchException with the Kafka error (INVALID_PRODUCER_EPOCH for a stale epoch, INVALID_TXN_STATE
     *         for a transactional batch without the live guard); nothing is appended then
     */
    public AppendResult appendAsCoordinator(ByteBuffer batches, int leaderEpoch, VerificationGuard verification) {
        AppendValidation.validate(batches, config, -1, topicPartition);
        return flushIfDue(appendUnderLock(batches, leaderEpoch, true, false, true, verification));
    }

    /**
     * Appends a transaction marker for {@code producerId} as leader (the WriteTxnMarkers path): a control batch at the
     * log end, in {@code leaderEpoch}, stamped with the current time. As in Kafka, a marker from a producer epoch
     * older than the partition's is INVALID_PRODUCER_EPOCH and one from a coordinator epoch older than the producer's
     * last marker is TRANSACTION_COORDINATOR_FENCED. The marker ends the producer's open transaction (if any); an
     * ABORT marker's transaction enters the aborted-transaction index of the segment it lands in.
     *
     * @throws RecordBatchException with the Kafka error; nothing is appended then
     */
    public AppendResult appendTransactionMarkerAsLeader(long producerId, short producerEpoch, TransactionMarker marker,
                                                        int leaderEpoch) {
        return append(marker.toBatch(producerId, producerEpoch, clock.millis()), leaderEpoch, true, true, null);
    }

    /**
     * Appends batches that already carry offsets (replication, internal writers): frame and CRC are checked, and the
     * batches must continue the log without a gap: the first starts at the log end offset and each next one right
     * after the previous (every Fjord log tiles its offsets; the cleaner fills what it drops with empty batches).
     * Batches keep their offsets and leader epochs; each new epoch enters the leader-epoch cache.
     *
     * @throws UnexpectedAppendOffsetException when the batches do not continue the log; nothing is appended then
     * @throws RecordBatchException            for a batch failing its frame, CRC-32C or size checks
     */
    public AppendResult appendAsFollower(ByteBuffer batches) {
        return append(batches, RecordBatch.NO_PARTITION_LEADER_EPOCH, false, false, null);
    }

    private AppendResult append(ByteBuffer batches, int leaderEpoch, boolean assignOffsets, boolean marker,
                                VerificationGuard verification) {
        if (assignOffsets && !marker) {
            // A producer's batches are checked before the append lock (the buffer is the caller's): a record walk
            // and a CRC per batch must not serialise the appends of all producers to this partition.
            AppendValidation.validate(batches, config, -1, topicPartition);
        }
        return flushIfDue(appendUnderLock(batches, leaderEpoch, assignOffsets, marker, false, verification));
    }

    private AppendResult flushIfDue(AppendResult result) {
        // Outside the append lock: a flush takes the flush lock first, then the append lock.
        long nextOffset = result.lastOffset() + 1;
        if (nextOffset - recoveryPoint >= config.flushMessages()) {
            flush(nextOffset);
        }
        return result;
    }

    private AppendResult appendUnderLock(ByteBuffer batches, int leaderEpoch, boolean assignOffsets, boolean marker,
                                         boolean coordinator, VerificationGuard verification) {
        LogConfig settings = config;
        lock.lock();
        try {
            ensureOpen();
            long nextOffset = logEnd.offset();
            long firstOffset = -1;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            long offsetOfMaxTimestamp = -1;
            long now = clock.millis();
            boolean logAppendTime = assignOffsets && settings.timestampType() == TimestampType.LOG_APPEND_TIME;
            int batchCount = 0;
            int cursor = batches.position();
            int end = batches.limit();
            if (!assignOffsets) {
                // A follower's batches must continue the log, so they are checked against its end, under the lock.
                AppendValidation.validate(batches, settings, nextOffset, topicPartition);
            }
            int totalBytes = end - batches.position();
            if (totalBytes > settings.segmentBytes()) {
                throw new RecordBatchException(Kind.MESSAGE_TOO_LARGE, "append of " + totalBytes
                        + " bytes exceeds segment.bytes " + settings.segmentBytes());
            }
            if (marker) {
                producerState.checkMarker(batches);
            }
            if (coordinator) {
                producerState.checkCoordinatorAppend(batches, verification);
            }
            Optional<ProducerState.Batch> duplicate = assignOffsets && !marker && !coordinator
                    ? producerState.checkLeaderAppend(batches, verification) : Optional.empty();
            if (duplicate.isPresent()) {
                return AppendResult.duplicateOf(duplicate.get(), logStartOffset);
            }
            cursor = batches.position();
            long previousLast = nextOffset - 1;
            while (cursor < end) {
                RecordBatch batch = new RecordBatch(batches, cursor);
                if (assignOffsets) {
                    batch.setBaseOffset(nextOffset);
                    batch.setPartitionLeaderEpoch(leaderEpoch);
                    if (logAppendTime) {
                        batch.setLogAppendTime(now);
                    }
                }
                if (firstOffset < 0) {
                    firstOffset = batch.baseOffset();
                }
                if (batch.maxTimestamp() > maxTimestamp) {
                    maxTimestamp = batch.maxTimestamp();
                    offsetOfMaxTimestamp = batch.lastOffset();
                }
                previousLast = batch.lastOffset();
                nextOffset = batch.nextOffset();
                cursor += batch.sizeInBytes();
                batchCount++;
            }
            LogSegment segment = maybeRoll(totalBytes, firstOffset, previousLast, maxTimestamp, now);
            // Epochs go into the cache (and its checkpoint) before the data: after a crash the checkpoint names every
            // epoch in the log, and entries beyond the recovered log end are trimmed when the log opens.
            if (assignOffsets) {
                leaderEpochs.assign(leaderEpoch, firstOffset);
            } else {
                leaderEpochs.assignEpochsOf(batches);
            }
            segment.append(batches, settings.indexIntervalBytes(), assignOffsets); // a leader's: fetched next
            logEnd = new LogEnd(nextOffset, segment, segment.sizeBytes());
            for (CompletedTransaction ended : producerState.onAppended(batches)) {
                if (ended.aborted()) {
                    segment.transactionIndex().append(ended.toAborted());
                }
            }
            onProducerStateChanged();
            return new AppendResult(firstOffset, previousLast, maxTimestamp, offsetOfMaxTimestamp,
                    logAppendTime ? now : RecordBatch.NO_TIMESTAMP, logStartOffset, batchCount, totalBytes, false);
        } finally {
            lock.unlock();
        }
    }

    private LogSegment maybeRoll(int appendBytes, long firstOffset, long lastOffset, long appendMaxTimestamp,
                                 long now) {
        LogSegment active = logEnd.segment();
        return SegmentRollRule.shouldRoll(active, config, topicPartition, appendBytes, lastOffset, appendMaxTimestamp,
                now) ? roll(firstOffset, now) : active;
    }

    /** Starts a new active segment at the log end offset, if the active one holds anything. */
    public void roll() {
        lock.lock();
        try {
            ensureOpen();
            if (logEnd.segment().sizeBytes() > 0) {
                roll(logEnd.offset(), clock.millis());
            }
        } finally {
            lock.unlock();
        }
    }

    private LogSegment roll(long baseOffset, long now) {
        LogSegment previous = logEnd.segment();
        LogConfig settings = config;
        previous.onBecomeInactive();
        producerState.onRoll(baseOffset);
        LogSegment next = LogSegment.create(directory, baseOffset, settings.segmentIndexBytes(),
                settings.preallocate() ? settings.segmentBytes() : 0, handleCache, now);
        segments.put(baseOffset, next);
        previous.unpin(System.nanoTime());
        logEnd = new LogEnd(logEnd.offset(), next, 0);
        LOG.debug("Rolled {} to a new segment at offset {}", topicPartition, baseOffset);
        // Kafka flushes a rolled segment in the background; the recovery point then moves past it.
        tasks.submit(() -> flush(baseOffset));
        return next;
    }

    // ---------------------------------------------------------------- read

    /**
     * Reads from {@code startOffset}: the batch holding it and those after, up to {@code maxBytes} and below
     * {@code maxOffsetExclusive} (the high watermark for consumers, the log end offset for replicas). With
     * {@code minOneBatch} the first batch comes whole even when larger than {@code maxBytes} (Kafka's rule, so a
     * consumer never stalls on a large batch).
     *
     * @throws OffsetOutOfRangeException when {@code startOffset} is below the log start or above the log end offset
     */
    public LogReadResult read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        return LogReads.read(segments, logEnd, logStartOffset, highWatermark, startOffset, maxBytes,
                maxOffsetExclusive, minOneBatch, topicPartition);
    }

    /** Reads everything from {@code startOffset} to the log end into memory; for tools and tests. */
    public ByteBuffer readAllFrom(long startOffset) {
        return WholeLogReads.readAll(startOffset, () -> logEnd.offset(),
                offset -> read(offset, WholeLogReads.chunkBytes(), Long.MAX_VALUE, true));
    }

    // ---------------------------------------------------------------- lookups by time

    /** The first record with a timestamp at or after {@code timestamp}, for ListOffsets; empty if none. */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        return TimestampLookups.offsetForTimestamp(segments.tailMap(segments.floorKey(start)).values(), timestamp,
                start);
    }

    /** The first record holding the largest timestamp in the log (ListOffsets MAX_TIMESTAMP); empty if none. */
    public Optional<TimestampAndOffset> maxTimestampAndOffset() {
        return TimestampLookups.maxTimestampAndOffset(segments.values());
    }

    // ---------------------------------------------------------------- durability

    /** Flushes everything appended so far. */
    public void flush() {
        flush(logEnd.offset());
    }

    /**
     * Makes every batch below {@code offsetExclusive} durable (fsync of the segments holding them and their indexes),
     * then moves the recovery point there.
     */
    public void flush(long offsetExclusive) {
        flushLock.lock();
        try {
            long target = Math.min(offsetExclusive, logEnd.offset());
            if (target <= recoveryPoint || closed) {
                return;
            }
            Long fromKey = segments.floorKey(recoveryPoint);
            long nanos = System.nanoTime();
            for (LogSegment segment : segments.tailMap(fromKey == null ? segments.firstKey() : fromKey).values()) {
                if (segment.baseOffset() >= target) {
                    break;
                }
                if (segment.acquire(nanos)) {
                    try {
                        segment.flush();
                    } finally {
                        segment.release();
                    }
                }
            }
            leaderEpochs.makeDurable(); // before the recovery point passes new epochs: recovery re-reads after it
            withLock(() -> recoveryPoint = Math.max(recoveryPoint, Math.min(target, logEnd.offset())));
            lastFlushMs = clock.millis();
        } finally {
            flushLock.unlock();
        }
    }

    /** Flushes if {@code flush.ms} has passed since the last flush and something is unflushed. */
    public void maybeFlushOnTime() {
        if (clock.millis() - lastFlushMs >= config.flushMs() && logEnd.offset() > recoveryPoint) {
            flush();
        }
    }

    // ---------------------------------------------------------------- truncation and log start

    /**
     * Removes everything at and after {@code offset} (replication truncates to the leader's log). A batch holding
     * {@code offset} goes whole; the log end offset becomes the end of the last batch kept, and leader epochs starting
     * at or after it leave the cache.
     */
    public void truncateTo(long offset) {
        lock.lock();
        try {
            ensureOpen();
            if (offset >= logEnd.offset()) {
                return;
            }
            if (offset <= segments.firstKey() || offset <= logStartOffset) {
                truncateFullyAndStartAt(offset);
                return;
            }
            for (LogSegment segment : List.copyOf(segments.tailMap(offset, false).values())) {
                if (segment.baseOffset() >= offset) {
                    removeSegment(segment);
                }
            }
            LogSegment last = segments.lastEntry().getValue();
            last.truncateTo(offset);
            long newEnd = last.readNextOffset();
            if (last != logEnd.segment()) {
                last.onBecomeActive();
            }
            logEnd = new LogEnd(newEnd, last, last.sizeBytes());
            recoveryPoint = Math.min(recoveryPoint, newEnd);
            highWatermark = Math.min(highWatermark, newEnd);
            producerState.reload(segments, newEnd);
            onProducerStateChanged();
            leaderEpochs.truncateFromEnd(newEnd);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every segment and starts an empty log at {@code offset}, with an empty leader-epoch cache. */
    public void truncateFullyAndStartAt(long offset) {
        lock.lock();
        try {
            ensureOpen();
            for (LogSegment segment : List.copyOf(segments.values())) {
                removeSegment(segment);
            }
            LogSegment fresh = LogSegment.create(directory, offset, config.segmentIndexBytes(),
                    config.preallocate() ? config.segmentBytes() : 0, handleCache, clock.millis());
            segments.put(offset, fresh);
            logEnd = new LogEnd(offset, fresh, 0);
            logStartOffset = offset;
            recoveryPoint = offset;
            highWatermark = offset;
            producerState.onTruncatedFully();
            onProducerStateChanged();
            leaderEpochs.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the log start offset forward (DeleteRecords); never past the high watermark. Whole segments below it are
     * deleted by the next retention pass. Returns whether it moved.
     */
    public boolean maybeAdvanceLogStartOffset(long newLogStartOffset) {
        lock.lock();
        try {
            ensureOpen();
            if (newLogStartOffset <= logStartOffset) {
                return false;
            }
            if (newLogStartOffset > highWatermark) {
                throw new OffsetOutOfRangeException("cannot move the log start offset to " + newLogStartOffset
                        + " beyond the high watermark " + highWatermark);
            }
            logStartOffset = newLogStartOffset;
            leaderEpochs.truncateFromStart(newLogStartOffset, logEnd.offset());
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- retention

    /**
     * Deletes whole segments that retention allows: those below the log start offset, and with
     * {@code cleanup.policy} delete those older than {@code retention.ms} or beyond {@code retention.bytes}. Only
     * segments wholly below the high watermark go. Returns the number deleted.
     */
    public int deleteOldSegments() {
        lock.lock();
        try {
            ensureOpen();
            LogConfig settings = config;
            long now = clock.millis();
            List<LogSegment> ordered = new ArrayList<>(segments.values());
            int deletable = RetentionSelection.deletableCount(ordered, logEnd, highWatermark, logStartOffset,
                    settings, now);
            if (deletable == 0) {
                return 0;
            }
            if (deletable == ordered.size()) {
                roll(logEnd.offset(), now); // never leave the log without an active segment
            }
            for (LogSegment segment : ordered.subList(0, deletable)) {
                removeSegment(segment);
            }
            long newStart = segments.firstKey();
            producerState.onSegmentsDeleted(newStart);
            if (newStart > logStartOffset) {
                logStartOffset = newStart;
                leaderEpochs.truncateFromStart(newStart, logEnd.offset());
            }
            LOG.info("Deleted {} segment(s) of {} by retention; log start offset is now {}", deletable,
                    topicPartition, logStartOffset);
            return deletable;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a segment from the log now and its files after {@code file.delete.delay.ms}. Caller holds the lock. */
    private void removeSegment(LogSegment segment) {
        segments.remove(segment.baseOffset(), segment);
        segment.markDeleted();
        tasks.deleteLater(segment, config.fileDeleteDelayMs());
    }

    // ---------------------------------------------------------------- segment replacement (cleaner)

    /**
     * Replaces {@code oldSegments} by {@code cleaned}, whose files carry the swap suffix until this call renames them
     * into place. Holds the append lock so no roll or truncation interleaves. {@code cleaned} must start at the first
     * old segment's base offset; it enters the segment map before the old segments leave it, so a concurrent reader
     * always finds either the old or the cleaned data for every offset, never a hole.
     */
    public void replaceSegments(LogSegment cleaned, List<LogSegment> oldSegments, Runnable renameSwapIntoPlace) {
        lock.lock();
        try {
            ensureOpen();
            if (oldSegments.isEmpty() || cleaned.baseOffset() != oldSegments.get(0).baseOffset()) {
                throw new IllegalArgumentException("cleaned segment " + cleaned + " does not start at the first of "
                        + oldSegments);
            }
            for (LogSegment old : oldSegments) {
                if (segments.get(old.baseOffset()) != old || old == logEnd.segment()) {
                    throw new IllegalStateException("segment " + old + " is no longer part of " + topicPartition);
                }
            }
            segments.put(cleaned.baseOffset(), cleaned);
            for (LogSegment old : oldSegments) {
                segments.remove(old.baseOffset(), old);
            }
            for (LogSegment old : oldSegments) {
                old.markDeleted();
            }
            renameSwapIntoPlace.run();
            for (LogSegment old : oldSegments) {
                tasks.deleteLater(old, config.fileDeleteDelayMs());
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- producer state

    /** Every idempotent producer's state by producer id (DescribeProducers); a consistent copy. */
    public Map<Long, ProducerState> producerStates() {
        return withLock(producerState::producers);
    }

    /** Removes producers idle for {@code producer.id.expiration.ms} as of {@code nowMs}; returns how many. */
    public int removeExpiredProducers(long nowMs, long expirationMs) {
        return withLock(() -> producerState.removeExpired(nowMs, expirationMs));
    }

    /** Runs {@code action} under the append lock; for the cleaner's consistent views. */
    public <T> T withLock(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** The active segment; callers hold the lock if they need it to stay active. */
    public LogSegment activeSegment() {
        return logEnd.segment();
    }

    // ---------------------------------------------------------------- lifecycle

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("log " + topicPartition + " is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Flushes and closes cleanly: files trimmed, indexes complete, so the next open skips recovery. */
    @Override
    public void close() {
        flush();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            leaderEpochs.makeDurable();
            producerState.onClose(logEnd.offset());
            closed = true;
            for (LogSegment segment : segments.values()) {
                segment.closeCleanly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes without flushing or trimming, leaving the files as a process crash would. For tests. */
    public void closeAbruptly() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment segment : segments.values()) {
                segment.closeAbruptly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes and deletes the whole directory. */
    public void delete() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment segment : List.copyOf(segments.values())) {
                segments.remove(segment.baseOffset());
                segment.markDeleted();
                segment.deleteFiles();
            }
            LogDirectoryLoader.deleteRecursively(directory);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", end=" + logEnd.offset() + ")";
    }
}
