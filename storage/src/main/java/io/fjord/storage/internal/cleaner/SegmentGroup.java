package io.fjord.storage.internal.cleaner;

import io.fjord.storage.internal.LogSegment;
import java.util.List;

/**
 * Adjacent segments that one cleaned segment replaces. Immutable and thread-safe.
 *
 * @param nextBaseOffset base offset of the segment after the group; the cleaned output covers every offset up to
 *                       just below it, so that recovery can tell the replaced segments from the swap file alone
 */
record SegmentGroup(List<LogSegment> segments, long nextBaseOffset) {
    SegmentGroup {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a group needs a segment");
        }
    }

    long baseOffset() {
        return segments.get(0).baseOffset();
    }

    /**
     * The last offset the cleaned output covers: just below the next segment, and within a relative offset of the
     * base offset (a single segment may be followed by a far-away one after a jump in offsets).
     */
    long lastOffset() {
        return Math.min(nextBaseOffset - 1, baseOffset() + Integer.MAX_VALUE);
    }

    long sizeBytes() {
        long total = 0;
        for (LogSegment segment : segments) {
            total += segment.sizeBytes();
        }
        return total;
    }

    /** The two halves of a group of two or more segments. */
    List<SegmentGroup> split() {
        int middle = segments.size() / 2;
        return List.of(new SegmentGroup(segments.subList(0, middle), segments.get(middle).baseOffset()),
                new SegmentGroup(segments.subList(middle, segments.size()), nextBaseOffset));
    }
}
