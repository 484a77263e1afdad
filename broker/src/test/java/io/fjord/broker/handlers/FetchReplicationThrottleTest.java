package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.broker.replica.ReplicationQuota;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's replication throttle (Kafka's leader ReplicationQuotaManager): orders-0 is led here with replicas
 * [1, 2, 3], follower 2 in the ISR, follower 3 catching up (a reassignment's added replica); the quota allows 100
 * bytes/s over 11 windows of 1 s.
 */
class FetchReplicationThrottleTest {
    private static final int IN_SYNC = 2;
    private static final int CATCHING_UP = 3;
    private static final int EPOCH = HandlerFixture.LEADER_EPOCH;

    @TempDir
    Path directory;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ReplicationQuota quota = new ReplicationQuota(11, 1000, clock);
    private HandlerFixture fixture;
    private FetchHandler handler;
    private UUID topicId;

    @BeforeEach
    void setUp() {
        fixture = new HandlerFixture(directory);
        fixture.broker(IN_SYNC, false, "PLAINTEXT");
        fixture.broker(CATCHING_UP, false, "PLAINTEXT");
        topicId = fixture.topic("orders", 1);
        fixture.placement("orders", List.of(HandlerFixture.NODE_ID, IN_SYNC, CATCHING_UP),
                List.of(HandlerFixture.NODE_ID, IN_SYNC), HandlerFixture.NODE_ID, EPOCH);
        PartitionLog log = fixture.log("orders", 0);
        log.appendAsLeader(HandlerFixture.batch(1_000, "a", "b", "c"), EPOCH);
        log.updateHighWatermark(log.logEndOffset());
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                PartitionLog::read, Optional.empty(), quota), new FetchManager(new FetchSessionCache(10, clock)),
                new DelayedOperationPurgatory<>("Fetch", clock), Runnable::run, 1 << 20);
        quota.setRateBoundBytesPerSecond(100);
        throttle(null);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Throttles orders' partitions: null all, else the ids given. */
    private void throttle(Set<Integer> partitions) {
        Map<String, Set<Integer>> throttled = new HashMap<>();
        throttled.put("orders", partitions);
        quota.setThrottledPartitions(throttled);
    }

    private Answer fetch(int replicaId) throws Exception {
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionEpoch(-1).setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId)
                        .setReplicaEpoch(-1));
        request.topics().add(new FetchRequestData.FetchTopic().setTopic("orders").setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                        .setFetchOffset(0).setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(EPOCH)
                        .setLastFetchedEpoch(-1).setLogStartOffset(-1)))));
        FetchResponseData response = (FetchResponseData) handler.handle(null, new DecodedRequest(ApiKey.FETCH,
                (short) 17, 1, "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        FetchResponseData.PartitionData data = response.responses().get(0).partitions().get(0);
        Answer answer = new Answer(data.errorCode(), data.records().sizeInBytes(), data.highWatermark());
        HandlerFixture.release(data.records());
        return answer;
    }

    private record Answer(short errorCode, int recordBytes, long highWatermark) {

    }

    @Test
    void aThrottledFollowerOutsideTheIsrGetsNoRecordsWhileTheQuotaIsExceeded() throws Exception {
        quota.record(100_000);

        Answer held = fetch(CATCHING_UP);
        assertThat(held.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(held.recordBytes()).isZero();
        assertThat(held.highWatermark()).isEqualTo(3);

        assertThat(fetch(IN_SYNC).recordBytes()).as("an ISR member is never held back").isPositive();

        clock.advance(12_000);
        assertThat(fetch(CATCHING_UP).recordBytes()).as("the windows have passed").isPositive();
    }

    @Test
    void anUnthrottledPartitionIsServedAndBelowTheBoundSoIsAThrottledOne() throws Exception {
        assertThat(fetch(CATCHING_UP).recordBytes()).as("below the bound").isPositive();
        assertThat(quota.rateBytesPerSecond()).as("a throttled partition's bytes are counted").isPositive();

        quota.record(100_000);
        throttle(Set.of(1));
        assertThat(fetch(CATCHING_UP).recordBytes()).as("partition 0 is not throttled").isPositive();
    }
}
