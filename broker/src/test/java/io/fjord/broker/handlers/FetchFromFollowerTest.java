package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.HandlerFixture.baseOffsets;
import static io.fjord.broker.handlers.HandlerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.broker.fetch.FollowerPositions;
import io.fjord.broker.fetch.PreferredReadReplica;
import io.fjord.broker.fetch.RackAwareReplicaSelector;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.PartitionLog;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KIP-392 through the Fetch handler: the leader's preferred read replica, and a follower serving consumers. */
class FetchFromFollowerTest {
    private static final short LAST_WITHOUT_RACK = 10;
    private static final short FIRST_WITH_RACK = 11;
    private static final short LATEST_VERSION = 18;
    private static final int FOLLOWER = 2;
    private static final int NODE = HandlerFixture.NODE_ID;
    private static final int EPOCH = HandlerFixture.LEADER_EPOCH;

    @TempDir
    Path directory;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private HandlerFixture fixture;
    private DelayedOperationPurgatory<DelayedFetch> purgatory;
    private FetchHandler handler;

    @BeforeEach
    void setUp() {
        fixture = new HandlerFixture(directory);
        fixture.rackedBroker(NODE, "east", false, "PLAINTEXT");
        fixture.rackedBroker(FOLLOWER, "west", false, "PLAINTEXT");
        fixture.rackedBroker(3, "west", false, "PLAINTEXT");
        fixture.topic("orders", 1);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    /** A handler whose leader knows every follower holds offsets 0 to 100, caught up now. */
    private void handler(boolean selectorConfigured) {
        FollowerPositions followers = (topicPartition, brokerId) ->
                Optional.of(new FollowerPositions.FollowerPosition(0, 100, clock.millis()));
        Optional<PreferredReadReplica> preferred = selectorConfigured
                ? Optional.of(new PreferredReadReplica(new RackAwareReplicaSelector(), followers, clock))
                : Optional.empty();
        purgatory = new DelayedOperationPurgatory<>("Fetch", clock);
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader(), preferred), new FetchManager(new FetchSessionCache(10, clock)), purgatory,
                Runnable::run, 1 << 20);
    }

    private FetchResponseData.PartitionData fetch(short version, int replicaId, String rack, long fetchOffset,
            int currentLeaderEpoch, int maxWaitMs, int minBytes) throws Exception {
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(minBytes)
                .setMaxBytes(1 << 20).setSessionEpoch(-1).setRackId(rack);
        if (version >= FetchManager.FIRST_REPLICA_STATE_VERSION) {
            request.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId).setReplicaEpoch(-1));
        } else {
            request.setReplicaId(replicaId);
        }
        request.topics().add(new FetchRequestData.FetchTopic().setTopic("orders")
                .setTopicId(fixture.cache().image().topic("orders").orElseThrow().topicId())
                .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                        .setFetchOffset(fetchOffset).setPartitionMaxBytes(1 << 20)
                        .setCurrentLeaderEpoch(currentLeaderEpoch).setLogStartOffset(-1)))));
        RequestContext context = new RequestContext(1, "PLAINTEXT", new InetSocketAddress("localhost", 1), 0);
        FetchResponseData response = (FetchResponseData) handler.handle(context,
                new DecodedRequest(ApiKey.FETCH, version, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        return response.responses().get(0).partitions().get(0);
    }

    private FetchResponseData.PartitionData consumerFetch(short version, String rack, long fetchOffset)
            throws Exception {
        return fetch(version, -1, rack, fetchOffset, EPOCH, 0, 1);
    }

    @Test
    void theLeaderSendsARackedConsumerToAnInSyncFollowerOfItsRackWithoutRecordsOrWaiting() throws Exception {
        fixture.placement("orders", List.of(NODE, FOLLOWER), List.of(NODE, FOLLOWER), NODE, EPOCH);
        fixture.append("orders", 0, 1_000, "a", "b", "c");
        handler(true);

        // minBytes that the log cannot fill: without a preferred replica the fetch would wait 500 ms.
        FetchResponseData.PartitionData sent = fetch(FIRST_WITH_RACK, -1, "west", 1, EPOCH, 500, 1 << 20);
        assertThat(sent.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(sent.preferredReadReplica()).isEqualTo(FOLLOWER);
        assertThat(sent.records().sizeInBytes()).isZero();
        assertThat(sent.highWatermark()).isEqualTo(3);
        assertThat(sent.logStartOffset()).isZero();
        assertThat(purgatory.delayedCount()).isZero();
        assertThat(fetch(LATEST_VERSION, -1, "west", 1, EPOCH, 500, 1 << 20).preferredReadReplica())
                .isEqualTo(FOLLOWER);

        for (FetchResponseData.PartitionData stays : List.of(consumerFetch(FIRST_WITH_RACK, "east", 0),
                consumerFetch(FIRST_WITH_RACK, "", 0), consumerFetch(LAST_WITHOUT_RACK, "west", 0),
                fetch(LATEST_VERSION, FOLLOWER, "west", 0, EPOCH, 0, 1))) {
            assertThat(stays.preferredReadReplica()).isEqualTo(-1);
            assertThat(baseOffsets(stays.records())).containsExactly(0L);
            release(stays.records());
        }
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void withoutReplicaSelectorClassEveryConsumerReadsFromTheLeader() throws Exception {
        fixture.placement("orders", List.of(NODE, FOLLOWER), List.of(NODE, FOLLOWER), NODE, EPOCH);
        fixture.append("orders", 0, 1_000, "a");
        handler(false);

        FetchResponseData.PartitionData data = consumerFetch(LATEST_VERSION, "west", 0);
        assertThat(data.preferredReadReplica()).isEqualTo(-1);
        assertThat(baseOffsets(data.records())).containsExactly(0L);
        release(data.records());
    }

    @Test
    void aFollowerServesConsumersFromVersion11UpToTheHighWatermarkItKnows() throws Exception {
        fixture.placement("orders", List.of(FOLLOWER, NODE), List.of(FOLLOWER, NODE), FOLLOWER, EPOCH);
        PartitionLog log = fixture.log("orders", 0);
        log.appendAsLeader(HandlerFixture.batch(1_000, "a", "b"), EPOCH);
        log.appendAsLeader(HandlerFixture.batch(2_000, "c"), EPOCH);
        log.updateHighWatermark(2);
        handler(true);

        FetchResponseData.PartitionData data = consumerFetch(FIRST_WITH_RACK, "west", 0);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.highWatermark()).isEqualTo(2);
        assertThat(data.preferredReadReplica()).as("only a leader chooses").isEqualTo(-1);
        assertThat(baseOffsets(data.records())).as("nothing above the follower's high watermark")
                .containsExactly(0L);
        release(data.records());

        FetchResponseData.PartitionData aboveWatermark = consumerFetch(LATEST_VERSION, "west", 2);
        assertThat(aboveWatermark.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(aboveWatermark.records().sizeInBytes()).isZero();
        // Beyond the follower's log: the consumer drops the preferred replica and returns to the leader.
        assertThat(consumerFetch(LATEST_VERSION, "west", 4).errorCode())
                .isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
        assertThat(consumerFetch(LAST_WITHOUT_RACK, "west", 0).errorCode())
                .as("before v11 only the leader serves consumers").isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(fetch(LATEST_VERSION, 3, null, 0, EPOCH, 0, 1).errorCode())
                .as("replicas fetch from the leader only").isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(fetch(LATEST_VERSION, -1, "west", 0, EPOCH - 1, 0, 1).errorCode())
                .isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(fetch(LATEST_VERSION, -1, "west", 0, EPOCH + 1, 0, 1).errorCode())
                .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void aNodeThatHoldsNoReplicaAnswersNotLeaderOrFollowerWhateverTheEpochAsKafkaDoes() throws Exception {
        fixture.placement("orders", List.of(FOLLOWER, 3), List.of(FOLLOWER, 3), FOLLOWER, EPOCH);
        handler(true);

        for (int epoch : new int[] {EPOCH - 1, EPOCH, EPOCH + 1, -1}) {
            assertThat(fetch(LATEST_VERSION, -1, "west", 0, epoch, 0, 1).errorCode()).as("epoch %d", epoch)
                    .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
    }
}
