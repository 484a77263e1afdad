package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.storage.TopicPartition;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka's replication quota: rate over sampled windows, the bound, and which partitions are throttled. */
class ReplicationQuotaTest {
    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ReplicationQuota quota = new ReplicationQuota(11, 1000, clock);

    @Test
    void withoutABoundNothingIsExceeded() {
        quota.record(Long.MAX_VALUE / 2);
        assertThat(quota.isQuotaExceeded()).isFalse();
    }

    @Test
    void theRateSpansAtLeastAllWindowsButTheCurrentOne() {
        quota.setRateBoundBytesPerSecond(1000);
        quota.record(10_000);
        assertThat(quota.rateBytesPerSecond()).as("10 000 bytes over 10 s").isEqualTo(1000.0);
        assertThat(quota.isQuotaExceeded()).as("exactly at the bound").isFalse();
        quota.record(1);
        assertThat(quota.isQuotaExceeded()).isTrue();

        clock.advance(15_000);
        assertThat(quota.rateBytesPerSecond()).as("every window has expired").isZero();
        assertThat(quota.isQuotaExceeded()).isFalse();
    }

    @Test
    void oldWindowsLeaveTheMeasureOneByOne() {
        quota.setRateBoundBytesPerSecond(500);
        quota.record(6_000);
        clock.advance(5_000);
        quota.record(1_000);
        assertThat(quota.rateBytesPerSecond()).isEqualTo(700.0);
        clock.advance(6_500); // the first window (from 0 s) ended at 1 s and is older than 11 s now
        assertThat(quota.rateBytesPerSecond()).isEqualTo(100.0);
        assertThat(quota.isQuotaExceeded()).isFalse();
    }

    @Test
    void throttledReplicasAreTheEntriesNamingThisBrokerOrAll() {
        assertThat(ReplicationQuota.throttledPartitions("0:1,1:2,2:1", 1)).containsExactlyInAnyOrder(0, 2);
        assertThat(ReplicationQuota.throttledPartitions(" 0 : 2 ", 2)).containsExactly(0);
        assertThat(ReplicationQuota.throttledPartitions("*", 7)).isNull();
        assertThat(ReplicationQuota.throttledPartitions("", 1)).isEmpty();
        assertThat(ReplicationQuota.throttledPartitions(null, 1)).isEmpty();

        Map<String, Set<Integer>> throttled = new HashMap<>();
        throttled.put("orders", Set.of(0, 2));
        throttled.put("all", null);
        throttled.put("none", Set.of());
        quota.setThrottledPartitions(throttled);
        assertThat(quota.isThrottled(new TopicPartition("orders", 2))).isTrue();
        assertThat(quota.isThrottled(new TopicPartition("orders", 1))).isFalse();
        assertThat(quota.isThrottled(new TopicPartition("all", 9))).isTrue();
        assertThat(quota.isThrottled(new TopicPartition("none", 0))).isFalse();
        assertThat(quota.isThrottled(new TopicPartition("other", 0))).isFalse();
    }
}
