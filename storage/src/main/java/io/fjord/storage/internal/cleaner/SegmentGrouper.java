package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.internal.LogSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the segments to clean into groups that each become one cleaned segment, Kafka's rule: the group's log
 * bytes fit {@code segment.bytes} (less room for a trailing empty batch), its offset and time index bytes each fit
 * {@code segment.index.bytes}, and its offsets fit relative index entries. Stateless and thread-safe.
 */
final class SegmentGrouper {
    private SegmentGrouper() {
    }

    /**
     * @param segments        adjacent inactive segments, oldest first
     * @param nextBaseOffsets for each segment, the base offset of the segment after it in the log
     */
    static List<SegmentGroup> group(List<LogSegment> segments, List<Long> nextBaseOffsets, int segmentBytes,
                                    int segmentIndexBytes) {
        long maxLogBytes = Math.max(0, segmentBytes - RecordBatch.HEADER_SIZE_BYTES);
        List<SegmentGroup> groups = new ArrayList<>();
        int start = 0;
        while (start < segments.size()) {
            LogSegment first = segments.get(start);
            long logBytes = first.sizeBytes();
            long offsetIndexBytes = indexBytes(first, true);
            long timeIndexBytes = indexBytes(first, false);
            int end = start + 1;
            while (end < segments.size()) {
                LogSegment next = segments.get(end);
                long nextLogBytes = logBytes + next.sizeBytes();
                long nextOffsetIndexBytes = offsetIndexBytes + indexBytes(next, true);
                long nextTimeIndexBytes = timeIndexBytes + indexBytes(next, false);
                boolean fits = nextLogBytes <= maxLogBytes && nextOffsetIndexBytes <= segmentIndexBytes
                        && nextTimeIndexBytes <= segmentIndexBytes
                        && nextBaseOffsets.get(end) - 1 - first.baseOffset() <= Integer.MAX_VALUE;
                if (!fits) {
                    break;
                }
                logBytes = nextLogBytes;
                offsetIndexBytes = nextOffsetIndexBytes;
                timeIndexBytes = nextTimeIndexBytes;
                end++;
            }
            groups.add(new SegmentGroup(segments.subList(start, end), nextBaseOffsets.get(end - 1)));
            start = end;
        }
        return groups;
    }

    private static long indexBytes(LogSegment segment, boolean offsetIndex) {
        if (!segment.acquire(System.nanoTime())) {
            throw new CleaningAbortedException("segment " + segment + " was deleted during the clean");
        }
        try {
            return offsetIndex ? segment.offsetIndex().sizeBytes() : segment.timeIndex().sizeBytes();
        } finally {
            segment.release();
        }
    }
}
