package io.fjord.broker.replica;

import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One side's replication throttle, Kafka's ReplicationQuotaManager: the partitions whose replica traffic is throttled
 * on this broker (from the topic configs {@code leader.replication.throttled.replicas} or
 * {@code follower.replication.throttled.replicas}) and a byte rate bound ({@code leader.replication.throttled.rate} or
 * {@code follower.replication.throttled.rate}). The rate is measured as Kafka measures it: the bytes recorded over
 * the last {@code replication.quota.window.num} windows of {@code replication.quota.window.size.seconds}, divided by
 * the time they span (at least all windows but the current one, so a first burst does not read as an infinite rate).
 * The leader leaves a throttled partition's records out of the fetch of a follower outside the ISR while the quota is
 * exceeded; a follower leaves throttled partitions it is not in sync for out of its fetch requests while its quota is
 * exceeded. Both record the bytes of every throttled partition they move.
 *
 * <p>Thread-safe: every method is synchronized (request handler threads and fetcher threads share one instance); the
 * clock is injected.
 */
public final class ReplicationQuota {
    /** Kafka's default rate: no throttle. */
    public static final long UNLIMITED_BYTES_PER_SECOND = Long.MAX_VALUE;
    /** A throttled-replicas value naming every replica. */
    public static final String ALL_REPLICAS = "*";

    private final InstantSource clock;
    private final long windowSizeMs;
    /** Bytes per window, oldest first; windowStartsMs in step. At most windowCount entries. */
    private final long[] windowBytes;
    private final long[] windowStartsMs;
    private int windows;
    private long rateBoundBytesPerSecond = UNLIMITED_BYTES_PER_SECOND;
    /** Throttled partition ids per topic; null value: every partition. */
    private final Map<String, Set<Integer>> throttled = new HashMap<>();

    /**
     * @param windowCount  {@code replication.quota.window.num} (Kafka: 11)
     * @param windowSizeMs {@code replication.quota.window.size.seconds} in milliseconds (Kafka: 1 s)
     */
    public ReplicationQuota(int windowCount, long windowSizeMs, InstantSource clock) {
        if (windowCount < 1 || windowSizeMs < 1) {
            throw new IllegalArgumentException("a quota needs at least one window of at least 1 ms");
        }
        this.clock = clock;
        this.windowSizeMs = windowSizeMs;
        this.windowBytes = new long[windowCount];
        this.windowStartsMs = new long[windowCount];
    }

    /**
     * The partition ids of {@code configValue} (a throttled-replicas topic config: {@code *} or
     * {@code partition:broker} pairs) that name {@code brokerId}; null for {@code *}, every partition. Entries that
     * do not parse are skipped (config validation keeps them out of the metadata).
     */
    public static Set<Integer> throttledPartitions(String configValue, int brokerId) {
        if (configValue == null || configValue.isBlank()) {
            return Set.of();
        }
        if (configValue.trim().equals(ALL_REPLICAS)) {
            return null;
        }
        List<Integer> partitions = new ArrayList<>();
        for (String entry : configValue.split(",")) {
            String[] parts = entry.trim().split(":");
            if (parts.length != 2) {
                continue;
            }
            try {
                if (Integer.parseInt(parts[1].trim()) == brokerId) {
                    partitions.add(Integer.parseInt(parts[0].trim()));
                }
            } catch (NumberFormatException e) {
                // Not a pair of ids: not a replica.
            }
        }
        return Set.copyOf(partitions);
    }

    /** Replaces the throttled partitions: per topic, the ids ({@code null}: all) from {@link #throttledPartitions}. */
    public synchronized void setThrottledPartitions(Map<String, Set<Integer>> partitionsByTopic) {
        throttled.clear();
        partitionsByTopic.forEach((topic, partitions) -> {
            if (partitions == null || !partitions.isEmpty()) {
                throttled.put(topic, partitions == null ? null : Set.copyOf(partitions));
            }
        });
    }

    /** Replaces one topic's throttled partition ids ({@code null}: all; empty: none). */
    public synchronized void setThrottledPartitions(String topic, Set<Integer> partitions) {
        if (partitions == null || !partitions.isEmpty()) {
            throttled.put(topic, partitions == null ? null : Set.copyOf(partitions));
        } else {
            throttled.remove(topic);
        }
    }

    /** Sets the rate bound in bytes per second ({@link #UNLIMITED_BYTES_PER_SECOND}: none). */
    public synchronized void setRateBoundBytesPerSecond(long boundBytesPerSecond) {
        this.rateBoundBytesPerSecond = Math.max(0, boundBytesPerSecond);
    }

    public synchronized long rateBoundBytesPerSecond() {
        return rateBoundBytesPerSecond;
    }

    /** Whether the partition's replica traffic counts against (and is held back by) this quota. */
    public synchronized boolean isThrottled(TopicPartition topicPartition) {
        if (!throttled.containsKey(topicPartition.topic())) {
            return false;
        }
        Set<Integer> partitions = throttled.get(topicPartition.topic());
        return partitions == null || partitions.contains(topicPartition.partition());
    }

    /** Whether throttled traffic must wait: a bound is set and the measured rate is above it. */
    public synchronized boolean isQuotaExceeded() {
        return rateBoundBytesPerSecond != UNLIMITED_BYTES_PER_SECOND
                && rateBytesPerSecond() > rateBoundBytesPerSecond;
    }

    /** Records bytes of throttled partitions moved now. */
    public synchronized void record(long bytes) {
        if (bytes <= 0) {
            return;
        }
        long nowMs = clock.millis();
        expire(nowMs);
        if (windows == 0 || nowMs >= windowStartsMs[windows - 1] + windowSizeMs) {
            if (windows == windowBytes.length) {
                shiftOut();
            }
            windowStartsMs[windows] = windows == 0 ? nowMs
                    : windowStartsMs[windows - 1] + (nowMs - windowStartsMs[windows - 1]) / windowSizeMs
                    * windowSizeMs;
            windowBytes[windows] = 0;
            windows++;
        }
        windowBytes[windows - 1] += bytes;
    }

    /** The measured rate in bytes per second over the windows kept. */
    public synchronized double rateBytesPerSecond() {
        long nowMs = clock.millis();
        expire(nowMs);
        if (windows == 0) {
            return 0;
        }
        long total = 0;
        for (int window = 0; window < windows; window++) {
            total += windowBytes[window];
        }
        long elapsedMs = Math.max(nowMs - windowStartsMs[0], (windowBytes.length - 1) * windowSizeMs);
        return total * 1000.0 / Math.max(1, elapsedMs);
    }

    /** Drops the windows that ended before the span of all windows counted back from now. */
    private void expire(long nowMs) {
        while (windows > 0 && windowStartsMs[0] + windowBytes.length * windowSizeMs <= nowMs) {
            shiftOut();
        }
    }

    private void shiftOut() {
        System.arraycopy(windowBytes, 1, windowBytes, 0, windows - 1);
        System.arraycopy(windowStartsMs, 1, windowStartsMs, 0, windows - 1);
        windows--;
    }
}
