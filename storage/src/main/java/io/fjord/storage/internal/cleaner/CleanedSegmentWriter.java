package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.records.EmptyBatch;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.StorageException;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.OffsetCheckpointFile;
import io.fjord.storage.internal.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;

/**
 * Writes the output of cleaning one group of segments: batches go through a bounded write buffer into a segment
 * whose files carry the {@code .cleaned} suffix. Gaps between retained batches, and a shortfall before the group's
 * last offset ({@link #complete}), are filled with empty batches, so offsets stay contiguous. {@link #complete} makes
 * the output durable; {@link #renameToSwap} then renames it to {@code .swap}.
 *
 * <p>Not thread-safe: one writer per group.
 */
final class CleanedSegmentWriter {
    private final LogSegment segment;
    private final int indexIntervalBytes;
    private final ByteBuffer buffer;
    private int batchesInBuffer;
    private long lastWrittenOffset = -1;
    private long bytesWritten;

    /**
     * @param firstReplaced  the group's first segment; the output takes its base offset
     * @param writeBufferBytes  {@code log.cleaner.io.buffer.size}
     */
    CleanedSegmentWriter(LogSegment firstReplaced, int segmentIndexBytes, int indexIntervalBytes, int writeBufferBytes,
                         long nowMs) {
        this.segment = LogSegment.createCleaned(firstReplaced, segmentIndexBytes, nowMs);
        this.indexIntervalBytes = indexIntervalBytes;
        this.buffer = ByteBuffer.allocate(Math.max(writeBufferBytes, 0));
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Adds one batch; offsets must grow. A gap left by dropped batches is first filled with an empty batch, so the
     * batches of every log tile its offsets without holes and recovery can insist on contiguous offsets.
     */
    void append(ByteBuffer batchBytes) {
        RecordBatch batch = new RecordBatch(batchBytes, batchBytes.position());
        long expectedOffset = lastWrittenOffset < 0 ? segment.baseOffset() : lastWrittenOffset + 1;
        if (batch.baseOffset() < expectedOffset) {
            throw new IllegalStateException("cleaned batch at " + batch.baseOffset() + " does not follow offset "
                    + lastWrittenOffset + " in " + segment);
        }
        if (batch.baseOffset() > expectedOffset) {
            append(EmptyBatch.of(expectedOffset, batch.baseOffset() - 1, batch.partitionLeaderEpoch(),
                    RecordBatch.NO_TIMESTAMP));
        }
        int size = batchBytes.remaining();
        if (size > buffer.remaining()) {
            flushBuffer();
        }
        if (size > buffer.capacity()) {
            writeToSegment(batchBytes, 1);
        } else {
            buffer.put(batchBytes.duplicate());
            batchesInBuffer++;
        }
        lastWrittenOffset = batch.lastOffset();
        bytesWritten += size;
    }

    /**
     * Indexes an aborted transaction whose ABORT marker this output keeps; called before the marker is appended, in
     * marker order.
     */
    void appendAbortedTransaction(AbortedTransaction aborted) {
        segment.transactionIndex().append(aborted);
    }

    private void flushBuffer() {
        if (batchesInBuffer > 0) {
            buffer.flip();
            writeToSegment(buffer, batchesInBuffer);
        }
        buffer.clear();
        batchesInBuffer = 0;
    }

    private void writeToSegment(ByteBuffer batches, int batchCount) {
        // Each batch adds at most one entry to each index; keep two more for the trailing empty batch and the final
        // time-index entry a segment gets when it becomes inactive.
        var offsets = segment.offsetIndex();
        var times = segment.timeIndex();
        if (offsets.entries() + batchCount + 2 > offsets.maxEntries()
                || times.entries() + batchCount + 2 > times.maxEntries()) {
            throw new GroupTooLargeException("the indexes of " + segment + " cannot take " + batchCount
                    + " more batches");
        }
        segment.append(batches, indexIntervalBytes);
    }

    /**
     * Ends the output so that its last batch ends at {@code lastOffset} and flushes it and its indexes; the files
     * keep the cleaned suffix.
     *
     * @param partitionLeaderEpoch epoch for a trailing empty batch
     * @param lastModifiedMs       modification time for the log file: the replaced segments' latest, so that
     *                             time-based retention sees the same age
     */
    void complete(long lastOffset, int partitionLeaderEpoch, long lastModifiedMs) {
        if (lastWrittenOffset < lastOffset) {
            long base = Math.max(lastWrittenOffset + 1, segment.baseOffset());
            append(EmptyBatch.of(base, lastOffset, partitionLeaderEpoch, RecordBatch.NO_TIMESTAMP));
        }
        flushBuffer();
        segment.onBecomeInactive();
        segment.flush();
        try {
            Files.setLastModifiedTime(segment.logFile(), FileTime.fromMillis(lastModifiedMs));
        } catch (IOException e) {
            throw new StorageException("cannot set the modification time of " + segment.logFile(), e);
        }
    }

    /** Renames the complete output to the swap suffix, durably. Returns the segment, still pinned open. */
    LogSegment renameToSwap() {
        segment.changeFileSuffixes(SegmentFiles.CLEANED_SUFFIX, SegmentFiles.SWAP_SUFFIX);
        OffsetCheckpointFile.fsyncDirectory(segment.directory());
        return segment;
    }

    /** Where the output's files are now, for observers. */
    LogSegment segment() {
        return segment;
    }

    /** Deletes the output, whatever suffix it has; for an aborted or failed clean. */
    void discard() {
        segment.closeAbruptly();
        segment.deleteFiles();
    }
}
