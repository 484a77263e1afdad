package io.fjord.storage.internal.cleaner;

import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.LogSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a log a clean may work on, as Kafka's cleaner manager computes it: the dirty section runs from the
 * first dirty offset (the cleaner checkpoint, or the log start) to the first uncleanable offset, the smallest of the
 * active segment's base offset, the last stable offset (the high watermark, or the first offset of the earliest
 * transaction not yet stable: a clean never decides about an open transaction's data), and the base offset of the first segment younger than
 * {@code min.compaction.lag.ms}. Sizes are counted per segment. Immutable and thread-safe.
 *
 * @param segments               the log's inactive segments when the range was computed, oldest first
 * @param nextBaseOffsets        for each of {@code segments}, the base offset of the segment after it
 * @param cleanBytes             bytes of the segments wholly below the first dirty offset
 * @param dirtyBytes             bytes of the segments holding the dirty section
 * @param compactionLagExceeded  whether the oldest dirty record is older than {@code max.compaction.lag.ms}
 */
public record CleanableRange(PartitionLog log, long firstDirtyOffset, long firstUncleanableOffset,
                             List<LogSegment> segments, List<Long> nextBaseOffsets, long cleanBytes, long dirtyBytes,
                             boolean compactionLagExceeded) {

    public CleanableRange {
        segments = List.copyOf(segments);
        nextBaseOffsets = List.copyOf(nextBaseOffsets);
    }

    /**
     * The range of {@code log} now, starting at {@code checkpointOffset} (the cleaner checkpoint, or -1 for none);
     * a checkpoint outside [log start, log end] is reset to the log start, as Kafka does.
     */
    public static CleanableRange of(PartitionLog log, long checkpointOffset, long nowMs) {
        LogConfig config = log.config();
        Snapshot snapshot = log.withLock(() -> new Snapshot(new ArrayList<>(log.segments()), log.activeSegment(),
                log.logStartOffset(), log.logEndOffset(), log.lastStableOffset()));
        List<LogSegment> inactive = new ArrayList<>();
        List<Long> nextBases = new ArrayList<>();
        for (int index = 0; index < snapshot.segments().size(); index++) {
            LogSegment segment = snapshot.segments().get(index);
            if (segment == snapshot.active() || index + 1 == snapshot.segments().size()) {
                break;
            }
            inactive.add(segment);
            nextBases.add(snapshot.segments().get(index + 1).baseOffset());
        }
        long firstDirty = checkpointOffset;
        if (firstDirty < snapshot.logStartOffset() || firstDirty > snapshot.logEndOffset()) {
            firstDirty = snapshot.logStartOffset();
        }
        long bound = Math.min(snapshot.active().baseOffset(), snapshot.lastStableOffset());
        if (config.minCompactionLagMs() > 0) {
            for (int index = 0; index < inactive.size(); index++) {
                LogSegment segment = inactive.get(index);
                if (nextBases.get(index) > firstDirty
                        && segment.largestTimestamp() > nowMs - config.minCompactionLagMs()) {
                    bound = Math.min(bound, segment.baseOffset());
                    break;
                }
            }
        }
        long firstUncleanable = Math.max(firstDirty, bound);
        long cleanBytes = 0;
        long dirtyBytes = 0;
        LogSegment firstDirtySegment = null;
        for (int index = 0; index < inactive.size(); index++) {
            LogSegment segment = inactive.get(index);
            if (segment.baseOffset() >= firstUncleanable) {
                break;
            }
            if (nextBases.get(index) <= firstDirty) {
                cleanBytes += segment.sizeBytes();
            } else {
                dirtyBytes += segment.sizeBytes();
                if (firstDirtySegment == null) {
                    firstDirtySegment = segment;
                }
            }
        }
        boolean lagExceeded = false;
        if (firstDirtySegment != null && config.maxCompactionLagMs() < Long.MAX_VALUE) {
            long earliest = firstDirtySegment.rollingBasedTimestamp();
            lagExceeded = earliest >= 0 && nowMs - earliest > config.maxCompactionLagMs();
        }
        return new CleanableRange(log, firstDirty, firstUncleanable, inactive, nextBases, cleanBytes, dirtyBytes,
                lagExceeded);
    }

    private record Snapshot(List<LogSegment> segments, LogSegment active, long logStartOffset, long logEndOffset,
                            long lastStableOffset) {
    }

    /** Dirty bytes over all bytes below the first uncleanable offset. */
    public double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    public boolean hasDirtyData() {
        return dirtyBytes > 0 && firstUncleanableOffset > firstDirtyOffset;
    }

    /** Whether the cleaner should pick this log: dirty enough, or dirty data past its maximum compaction lag. */
    public boolean isEligible() {
        return hasDirtyData() && (compactionLagExceeded || dirtyRatio() > log.config().minCleanableDirtyRatio());
    }
}
