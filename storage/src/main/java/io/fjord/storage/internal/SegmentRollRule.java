package io.fjord.storage.internal;

import io.fjord.storage.LogConfig;
import io.fjord.storage.TopicPartition;

/**
 * When an append must start a new active segment, as Kafka's {@code shouldRoll}: the active segment holds something,
 * and either {@code segment.ms} (less the partition's jitter) has passed since its first batch's timestamp (or its
 * creation), or the append does not fit (size, index room, relative offsets). Stateless; thread-safe.
 */
public final class SegmentRollRule {
    private SegmentRollRule() {
    }

    /**
     * @param appendMaxTimestamp the largest timestamp of the batches to append, or negative when they have none
     */
    public static boolean shouldRoll(LogSegment active, LogConfig settings, TopicPartition topicPartition,
                                     int appendBytes, long lastOffset, long appendMaxTimestamp, long nowMs) {
        if (active.sizeBytes() == 0) {
            return false;
        }
        long firstTimestamp = active.rollingBasedTimestamp();
        long waitedMs = appendMaxTimestamp >= 0 && firstTimestamp >= 0 && active.maxTimestampSoFar() >= 0
                ? appendMaxTimestamp - firstTimestamp : nowMs - firstTimestamp;
        boolean timeToRoll = waitedMs > settings.segmentMs() - jitterMs(settings, topicPartition);
        return timeToRoll || !active.canAppend(appendBytes, lastOffset, settings.segmentBytes());
    }

    /** Deterministic per-partition jitter: spreads rolls of many partitions without a random source. */
    private static long jitterMs(LogConfig settings, TopicPartition topicPartition) {
        if (settings.segmentJitterMs() == 0) {
            return 0;
        }
        return Math.floorMod((long) topicPartition.hashCode(), Math.min(settings.segmentJitterMs(),
                settings.segmentMs()));
    }
}
