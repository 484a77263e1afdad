package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.internal.BatchHeader;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.OffsetCheckpointFile;
import io.fjord.storage.internal.SegmentFiles;
import io.fjord.storage.internal.SegmentScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * Rewrites one group of segments into one cleaned segment and swaps it into the log, in the crash-safe order: write
 * the output as {@code .cleaned} and fsync it; rename it to {@code .swap}; replace the old segments in the log (they
 * are renamed {@code .deleted} and deleted later); rename the swap file into place. Recovery discards a
 * {@code .cleaned} output and completes a {@code .swap} one, so a crash at any point leaves either the old or the
 * cleaned data. One batch of the source is in memory at a time, plus the bounded write buffer.
 *
 * <p>Not thread-safe: used by one clean at a time.
 */
final class GroupRewriter {
    private final LogConfig config;
    private final int writeBufferBytes;
    private final CleaningSteps steps;
    private final Runnable abortCheck;
    private final long nowMs;
    private long bytesRead;
    private long bytesWritten;

    GroupRewriter(LogConfig config, int writeBufferBytes, CleaningSteps steps, Runnable abortCheck, long nowMs) {
        this.config = config;
        this.writeBufferBytes = writeBufferBytes;
        this.steps = steps;
        this.abortCheck = abortCheck;
        this.nowMs = nowMs;
    }

    long bytesRead() {
        return bytesRead;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Cleans {@code group} with {@code filter} and swaps the result into {@code log}. The cleaned segment's
     * aborted-transaction index holds the entries of the ABORT markers that stay (Kafka's cleaned index).
     *
     * @param dataMayRemain whether an aborted transaction may still have data in a segment this clean left uncleaned
     */
    void rewrite(PartitionLog log, SegmentGroup group, BatchFilter filter,
                 Predicate<AbortedTransaction> dataMayRemain) {
        Path directory = log.directory();
        CleanedSegmentWriter writer = new CleanedSegmentWriter(group.segments().get(0), config.segmentIndexBytes(),
                config.indexIntervalBytes(), writeBufferBytes, nowMs);
        LogSegment cleaned = writer.segment();
        TransactionTracker transactions = new TransactionTracker(writer::appendAbortedTransaction, dataMayRemain);
        GroupState state = new GroupState(filter, transactions, new ProducerLastBatches(log.producerStates()));
        try {
            int lastEpoch = RecordBatch.NO_PARTITION_LEADER_EPOCH;
            long lastModifiedMs = 0;
            List<LogSegment> segments = group.segments();
            for (int index = 0; index < segments.size(); index++) {
                LogSegment segment = segments.get(index);
                long nextBase = index + 1 < segments.size() ? segments.get(index + 1).baseOffset()
                        : group.nextBaseOffset();
                transactions.addAborted(log.abortedTransactions(segment.baseOffset(), nextBase));
                lastModifiedMs = Math.max(lastModifiedMs, lastModifiedMs(segment));
                lastEpoch = copyRetained(segment, state, writer, lastEpoch);
            }
            writer.complete(group.lastOffset(), lastEpoch, lastModifiedMs);
            steps.reached(CleaningSteps.Step.CLEANED_WRITTEN, directory);
            abortCheck.run();
            writer.renameToSwap();
            steps.reached(CleaningSteps.Step.SWAP_RENAMED, directory);
            abortCheck.run();
            try {
                log.replaceSegments(cleaned, group.segments(), () -> {
                    steps.reached(CleaningSteps.Step.OLD_SEGMENTS_REPLACED, directory);
                    cleaned.changeFileSuffixes(SegmentFiles.SWAP_SUFFIX, "");
                });
            } catch (IllegalStateException | StorageException e) {
                if (!log.segments().contains(cleaned)) {
                    throw new CleaningAbortedException("the log changed during the clean: " + e.getMessage());
                }
                throw e;
            }
            OffsetCheckpointFile.fsyncDirectory(directory);
            cleaned.unpin(System.nanoTime());
            bytesWritten += writer.bytesWritten();
            steps.reached(CleaningSteps.Step.SWAP_COMPLETED, directory);
        } finally {
            if (!log.segments().contains(cleaned)) {
                writer.discard();
            }
        }
    }

    /** Passes every batch of {@code segment} through the filter; returns the leader epoch of the last batch. */
    private int copyRetained(LogSegment segment, GroupState state, CleanedSegmentWriter writer, int lastEpoch) {
        if (!segment.acquire(System.nanoTime())) {
            throw new CleaningAbortedException("segment " + segment + " was deleted during the clean");
        }
        int epoch = lastEpoch;
        try {
            SegmentScanner scanner = segment.scanner(true);
            BatchHeader header;
            while ((header = scanner.next()) != null) {
                abortCheck.run();
                ByteBuffer bytes = segment.read(header.position(), header.sizeBytes());
                bytesRead += header.sizeBytes();
                RecordBatch batch = new RecordBatch(bytes, 0);
                epoch = batch.partitionLeaderEpoch();
                ByteBuffer retained = state.filter().filter(batch, state.transactions(), state.lastBatches());
                if (retained != null) {
                    writer.append(retained);
                }
            }
            if (scanner.invalidReason() != null) {
                throw segment.corruption(scanner.position(), scanner.invalidReason());
            }
        } finally {
            segment.release();
        }
        return epoch;
    }

    /** What filtering one group's batches needs. */
    private record GroupState(BatchFilter filter, TransactionTracker transactions, ProducerLastBatches lastBatches) {
    }

    private static long lastModifiedMs(LogSegment segment) {
        try {
            return Files.getLastModifiedTime(segment.logFile()).toMillis();
        } catch (IOException e) {
            return segment.largestTimestamp();
        }
    }
}
