package io.fjord.storage.internal;

import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.OffsetOutOfRangeException;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The lock-free reads of a partition log: a slice of batches for a fetch, and the aborted transactions a
 * read-committed fetch returns with it. Stateless and thread-safe; callers pass the log's volatile state read once.
 */
public final class LogReads {
    private LogReads() {
    }

    /**
     * See {@code PartitionLog.read}: the batch holding {@code startOffset} and those after, up to {@code maxBytes}
     * and below {@code maxOffsetExclusive}, within one segment.
     */
    public static LogReadResult read(NavigableMap<Long, LogSegment> segments, LogEnd end, long start, long watermark,
                                     long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch,
                                     TopicPartition topicPartition) {
        if (startOffset < start || startOffset > end.offset()) {
            throw new OffsetOutOfRangeException("offset " + startOffset + " is outside [" + start + ", "
                    + end.offset() + "] of " + topicPartition);
        }
        long upperBound = Math.min(maxOffsetExclusive, end.offset());
        if (startOffset >= upperBound) {
            return new LogReadResult(FileSlice.empty(), -1, start, end.offset(), watermark, upperBound);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
        long nanos = System.nanoTime();
        while (entry != null) {
            LogSegment segment = entry.getValue();
            if (!segment.acquire(nanos)) {
                entry = segments.floorEntry(startOffset); // deleted under us: retry with the current map
                if (entry != null && entry.getValue() == segment) {
                    throw new OffsetOutOfRangeException("offset " + startOffset + " was deleted");
                }
                continue;
            }
            boolean handedOver = false;
            try {
                int segmentEnd = segment == end.segment() ? end.segmentSizeBytes() : segment.sizeBytes();
                BatchHeader first = segment.findBatch(startOffset, segmentEnd);
                if (first != null) {
                    if (first.baseOffset() >= upperBound) {
                        return new LogReadResult(FileSlice.empty(), -1, start, end.offset(), watermark, upperBound);
                    }
                    int maxPosition = segmentEnd;
                    long sliceBound = upperBound;
                    if (upperBound < end.offset()) {
                        BatchHeader bound = segment.findBatch(upperBound, segmentEnd);
                        if (bound != null) {
                            maxPosition = bound.position();
                        }
                    }
                    int wanted = minOneBatch ? Math.max(maxBytes, first.sizeBytes()) : maxBytes;
                    int length = Math.min(maxPosition - first.position(), wanted);
                    if (length <= 0) {
                        return new LogReadResult(FileSlice.empty(), -1, start, end.offset(), watermark, upperBound);
                    }
                    sliceBound = Math.min(sliceBound, offsetAfter(segments, segment, first.position() + length));
                    handedOver = true;
                    return new LogReadResult(segment.slice(first.position(), length), first.baseOffset(), start,
                            end.offset(), watermark, sliceBound);
                }
            } finally {
                if (!handedOver) {
                    segment.release();
                }
            }
            // The offset lies after this segment's last batch (a compaction gap): continue in the next one.
            entry = segments.higherEntry(entry.getKey());
        }
        return new LogReadResult(FileSlice.empty(), -1, start, end.offset(), watermark, upperBound);
    }

    /**
     * An offset above every offset stored before {@code position} in {@code segment} (Kafka's
     * {@code fetchUpperBoundOffset}): the offset of the first index entry at or after the position (entries name a
     * batch's last offset, and that batch starts at or after the position), else the next segment's base offset, else
     * no bound. The caller holds a reference on the segment.
     */
    private static long offsetAfter(NavigableMap<Long, LogSegment> segments, LogSegment segment, int position) {
        OffsetIndex index = segment.offsetIndex();
        int low = 0;
        int high = index.entries() - 1;
        long found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            OffsetIndex.Entry candidate = index.entry(middle);
            if (candidate.position() >= position) {
                found = candidate.offset();
                high = middle - 1;
            } else {
                low = middle + 1;
            }
        }
        if (found >= 0) {
            return found;
        }
        Long next = segments.higherKey(segment.baseOffset());
        return next == null ? Long.MAX_VALUE : next;
    }

    /**
     * The aborted transactions overlapping [{@code startOffset}, {@code upperBoundOffset}), Kafka's
     * {@code collectAbortedTransactions}: the aborted-transaction indexes from the segment holding the start offset
     * on, until an entry's last stable offset shows that no later segment can hold more.
     */
    public static List<AbortedTransaction> abortedTransactions(NavigableMap<Long, LogSegment> segments,
                                                               long startOffset, long upperBoundOffset) {
        List<AbortedTransaction> found = new ArrayList<>();
        Long from = segments.floorKey(startOffset);
        long nanos = System.nanoTime();
        for (LogSegment segment : segments.tailMap(from == null ? segments.firstKey() : from, true).values()) {
            if (!segment.acquire(nanos)) {
                continue; // deleted under us: its transactions lie below the log start
            }
            try {
                if (segment.transactionIndex().collect(startOffset, upperBoundOffset, found)) {
                    break;
                }
            } finally {
                segment.release(); // held so that the index's file handle closes with the segment's
            }
        }
        return found;
    }
}
