package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.HandlerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.broker.network.ConnectionThrottle;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer fetch over its client quota is answered empty, as Kafka answers it (KIP-219). */
class FetchQuotaThrottleTest {
    private static final short VERSION = 18;

    @TempDir
    Path directory;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final RequestContext alice = new RequestContext(1, "PLAINTEXT", new InetSocketAddress(9092), 0,
            Principal.user("alice"), new ConnectionThrottle());
    /** The throttle the quota answers next (0: within the quota), and the bytes it was asked about. */
    private final AtomicInteger nextThrottleMs = new AtomicInteger();
    private final AtomicInteger recordedBytes = new AtomicInteger();
    private HandlerFixture fixture;
    private FetchSessionCache sessions;
    private FetchHandler handler;
    private UUID topicId;

    @BeforeEach
    void start() {
        fixture = new HandlerFixture(directory);
        topicId = fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b", "c");
        sessions = new FetchSessionCache(10, clock);
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader()), new FetchManager(sessions), new DelayedOperationPurgatory<>("Fetch", clock),
                Runnable::run, 1 << 20);
        handler.useQuota((context, clientId, bytes) -> {
            recordedBytes.addAndGet((int) bytes);
            return nextThrottleMs.get();
        });
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private FetchResponseData fetch(int sessionId, int epoch, boolean withPartition) throws Exception {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionId(sessionId).setSessionEpoch(epoch);
        if (withPartition) {
            request.topics().add(new FetchRequestData.FetchTopic().setTopicId(topicId).setPartitions(
                    new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLogStartOffset(-1)))));
        }
        return (FetchResponseData) handler.handle(alice, new DecodedRequest(ApiKey.FETCH, VERSION, 1, "app",
                (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aThrottledFullFetchIsEmptyCreatesNoSessionAndReleasesWhatItRead() throws Exception {
        nextThrottleMs.set(700);

        FetchResponseData throttled = fetch(0, 0, true);

        assertThat(throttled.responses()).isEmpty();
        assertThat(throttled.throttleTimeMs()).isEqualTo(700);
        assertThat(throttled.errorCode()).isZero();
        assertThat(throttled.sessionId()).isZero();
        assertThat(sessions.size()).isZero();
        assertThat(recordedBytes.get()).isPositive();
        assertThat(fixture.slicesReleased.get()).isEqualTo(fixture.slicesOpen.get());
    }

    @Test
    void aThrottledIncrementalFetchKeepsItsSessionAndTheNextFetchReadsTheRecordsAgain() throws Exception {
        FetchResponseData first = fetch(0, 0, true);
        int sessionId = first.sessionId();
        assertThat(sessionId).isPositive();
        first.responses().forEach(topic -> topic.partitions().forEach(data -> release(data.records())));
        fixture.append("orders", 0, 2_000, "d");

        nextThrottleMs.set(500);
        // The client moved its offset on to 3 in its session (an incremental fetch naming the changed partition).
        FetchRequestData.FetchPartition moved = new FetchRequestData.FetchPartition().setPartition(0)
                .setFetchOffset(3).setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLogStartOffset(-1);
        FetchRequestData incremental = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionId(sessionId).setSessionEpoch(1);
        incremental.topics().add(new FetchRequestData.FetchTopic().setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(moved))));
        FetchResponseData throttled = (FetchResponseData) handler.handle(alice, new DecodedRequest(ApiKey.FETCH,
                VERSION, 2, "app", (short) 2, incremental, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(throttled.responses()).isEmpty();
        assertThat(throttled.sessionId()).isEqualTo(sessionId);
        assertThat(throttled.throttleTimeMs()).isEqualTo(500);

        nextThrottleMs.set(0);
        FetchResponseData next = fetch(sessionId, 2, false);
        assertThat(next.throttleTimeMs()).isZero();
        assertThat(next.responses()).singleElement().satisfies(topic -> assertThat(topic.partitions())
                .singleElement().satisfies(data -> assertThat(data.records().sizeInBytes()).isPositive()));
        next.responses().forEach(topic -> topic.partitions().forEach(data -> release(data.records())));
        assertThat(fixture.slicesReleased.get()).isEqualTo(fixture.slicesOpen.get());
    }
}
