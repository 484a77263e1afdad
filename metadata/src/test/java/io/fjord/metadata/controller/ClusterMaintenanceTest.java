package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The active controller's lease timer on a simulated clock, driven as {@code QuorumController} drives it: after every
 * operation and check the controller wakes after {@code min(nextCheckDelayMs, periodMs)}. A silent broker must be
 * fenced at its lease's expiry ({@code broker.session.timeout.ms} + 1 ms after its last heartbeat), not at the next
 * tick of a sampling period (Kafka 4.4's session timeout / 8, up to 1,125 ms later).
 */
class ClusterMaintenanceTest {
    private static final long SESSION_TIMEOUT_MS = 9000;
    private static final long HEARTBEAT_INTERVAL_MS = 2000;
    private static final int PARTITIONS = 1000;

    private final ControllerFixture fixture = new ControllerFixture();
    private long nowMs = 1000;
    private final ClusterMaintenance maintenance = new ClusterMaintenance(
            new ClusterMaintenance.Settings(SESSION_TIMEOUT_MS, false, 300_000), fixture.cluster, fixture.replication,
            () -> Instant.ofEpochMilli(nowMs));
    private final long[] epochs = new long[4];
    /** When the controller's timer fires next, as QuorumController arms it. */
    private long wakeUpMs = Long.MAX_VALUE;

    /** Brokers 1-3 unfenced; a topic of {@link #PARTITIONS} partitions, all led by broker 1, replicas 1, 2, 3. */
    private void startCluster() {
        for (int brokerId = 1; brokerId <= 3; brokerId++) {
            epochs[brokerId] = fixture.startBroker(brokerId, nowMs);
        }
        List<List<Integer>> assignments = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            assignments.add(List.of(1, 2, 3));
        }
        fixture.createTopic("moved", assignments);
        maintenance.activated(fixture.image);
        armTimer();
    }

    /** What QuorumController does after every operation and check: a wake-up armed sooner stays. */
    private void armTimer() {
        long delayMs = Math.min(maintenance.nextCheckDelayMs(fixture.image), maintenance.periodMs());
        wakeUpMs = Math.min(wakeUpMs, nowMs + delayMs);
    }

    private void heartbeat(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(brokerId, epochs[brokerId]), nowMs));
        armTimer();
    }

    /**
     * Runs the cluster until {@code endMs}: brokers 2 and 3 heartbeat every interval, broker 1 only while
     * {@code nowMs < broker1SilentFromMs}; the timer's checks run when due. Returns when broker 1 was fenced (-1: not).
     */
    private long runUntil(long endMs, long broker1SilentFromMs) {
        long nextHeartbeatMs = nowMs + HEARTBEAT_INTERVAL_MS;
        while (nowMs < endMs) {
            if (wakeUpMs <= nextHeartbeatMs && wakeUpMs <= endMs) {
                nowMs = Math.max(nowMs, wakeUpMs);
                wakeUpMs = Long.MAX_VALUE;
                ControllerResult<?> checked = maintenance.periodic(fixture.image);
                fixture.apply(checked);
                armTimer();
                if (!checked.records().isEmpty()) {
                    assertThat(checked.records()).hasSize(PARTITIONS + 1); // every leadership, one entry
                    return nowMs;
                }
            } else if (nextHeartbeatMs <= endMs) {
                nowMs = nextHeartbeatMs;
                heartbeat(2);
                heartbeat(3);
                if (nowMs < broker1SilentFromMs) {
                    heartbeat(1);
                }
                nextHeartbeatMs += HEARTBEAT_INTERVAL_MS;
            } else {
                nowMs = endMs;
            }
        }
        return -1;
    }

    @Test
    void aSilentBrokerIsFencedWhenItsLeaseExpiresNotAtTheNextSample() {
        startCluster();
        nowMs = 1500;
        heartbeat(1); // its last heartbeat: the lease runs until 1500 + 9000

        long fencedAtMs = runUntil(60_000, 1501);

        // Sampling every 1,125 ms from the activation at 1,000 (the old timer) fenced it at about 11,125.
        assertThat(fencedAtMs).isEqualTo(1500 + SESSION_TIMEOUT_MS + 1);
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
        for (PartitionImage partition : fixture.image.topic("moved").orElseThrow().partitions().values()) {
            assertThat(partition.leader()).isEqualTo(2);
            assertThat(partition.isr()).containsExactly(2, 3);
        }
    }

    @Test
    void theTimerIsArmedForTheEarliestLeaseExpiry() {
        startCluster();
        nowMs = 1500;
        heartbeat(1);
        nowMs = 2700;
        heartbeat(2);
        heartbeat(3);

        // Broker 1's lease expires first, at 10,501; a check due then is due in 7,801 ms.
        assertThat(fixture.cluster.nextLeaseExpiryMs(fixture.image)).isEqualTo(10_501);
        assertThat(maintenance.nextCheckDelayMs(fixture.image)).isEqualTo(10_501 - 2700);
        nowMs = 10_500;
        assertThat(maintenance.periodic(fixture.image).records()).isEmpty();
        assertThat(maintenance.nextCheckDelayMs(fixture.image)).isEqualTo(1);
        nowMs = 10_501;
        assertThat(maintenance.nextCheckDelayMs(fixture.image)).isZero();
    }

    @Test
    void aHeartbeatPushesTheDeadlineBackAndAFencedBrokerHasNone() {
        startCluster();
        runUntil(30_000, Long.MAX_VALUE);
        assertThat(fixture.image.brokers().values()).noneMatch(broker -> broker.fenced());

        long fencedAtMs = runUntil(60_000, 0);

        // Broker 1's last heartbeat was the last one before 30,000: 1,000 + 14 intervals.
        assertThat(fencedAtMs).isEqualTo(1000 + 14 * HEARTBEAT_INTERVAL_MS + SESSION_TIMEOUT_MS + 1);
        // Brokers 2 and 3 heartbeat on (last at 38,000): the next deadline is theirs, a session after it.
        assertThat(fixture.cluster.nextLeaseExpiryMs(fixture.image)).isEqualTo(38_000 + SESSION_TIMEOUT_MS + 1);
    }

    @Test
    void aHeartbeatWaitingForTheControllerKeepsItsBrokerOutOfTheDeadline() {
        startCluster();
        fixture.cluster.heartbeatReceived(1, epochs[1] + 1, nowMs); // another epoch: renews nothing, but waits
        fixture.cluster.heartbeatReceived(2, epochs[2], nowMs);
        fixture.cluster.heartbeatReceived(3, epochs[3], nowMs);

        assertThat(fixture.cluster.nextLeaseExpiryMs(fixture.image)).isEqualTo(Long.MAX_VALUE);
        assertThat(maintenance.nextCheckDelayMs(fixture.image)).isEqualTo(Long.MAX_VALUE);

        fixture.cluster.heartbeatHandled(1);
        assertThat(fixture.cluster.nextLeaseExpiryMs(fixture.image)).isEqualTo(1000 + SESSION_TIMEOUT_MS + 1);
    }

    @Test
    void theRebalanceIntervalIsADeadlineToo() {
        ClusterMaintenance rebalancing = new ClusterMaintenance(
                new ClusterMaintenance.Settings(SESSION_TIMEOUT_MS, true, 300_000), fixture.cluster,
                fixture.replication, () -> Instant.ofEpochMilli(nowMs));
        rebalancing.activated(fixture.image); // no broker registered: no lease to expire

        assertThat(rebalancing.nextCheckDelayMs(fixture.image)).isEqualTo(300_000);
        nowMs += 300_000;
        assertThat(rebalancing.nextCheckDelayMs(fixture.image)).isZero();
    }
}
