package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.HandlerFixture.baseOffsets;
import static io.fjord.broker.handlers.HandlerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** KIP-320 in Fetch: a fetch naming its last fetched epoch learns whether its log diverged from the leader's. */
class FetchDivergingEpochTest {
    private static final int EPOCH = HandlerFixture.LEADER_EPOCH;
    private static final int FOLLOWER = 2;
    private static final int CONSUMER = -1;
    private static final short FIRST_LAST_FETCHED_EPOCH_VERSION = 12;
    private static final short LATEST_VERSION = 18;

    @TempDir
    Path directory;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private HandlerFixture fixture;
    private DelayedOperationPurgatory<DelayedFetch> purgatory;
    private FetchHandler handler;
    private UUID topicId;

    /**
     * orders-0, led here with follower 2: epoch 1 at offsets 0-1, epoch 3 at 2-4, epoch 5 (current) at 5-6; log end 7,
     * high watermark 7.
     */
    @BeforeEach
    void setUp() {
        fixture = new HandlerFixture(directory);
        fixture.broker(FOLLOWER, false, "PLAINTEXT");
        topicId = fixture.topic("orders", 1);
        fixture.placement("orders", List.of(HandlerFixture.NODE_ID, FOLLOWER), List.of(HandlerFixture.NODE_ID,
                FOLLOWER), HandlerFixture.NODE_ID, EPOCH);
        PartitionLog log = fixture.log("orders", 0);
        log.appendAsLeader(HandlerFixture.batch(1_000, "a", "b"), 1);
        log.appendAsLeader(HandlerFixture.batch(1_000, "c", "d", "e"), 3);
        log.appendAsLeader(HandlerFixture.batch(1_000, "f", "g"), EPOCH);
        log.updateHighWatermark(log.logEndOffset());
        purgatory = new DelayedOperationPurgatory<>("Fetch", clock);
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader()), new FetchManager(new FetchSessionCache(10, clock)), purgatory,
                Runnable::run, 1 << 20);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private FetchResponseData.PartitionData fetch(short version, int replicaId, long fetchOffset,
            int lastFetchedEpoch, int maxWaitMs) throws Exception {
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(1 << 20)
                .setMaxBytes(1 << 20).setSessionEpoch(-1);
        if (version >= FetchManager.FIRST_REPLICA_STATE_VERSION) {
            request.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId).setReplicaEpoch(-1));
        } else {
            request.setReplicaId(replicaId);
        }
        request.topics().add(new FetchRequestData.FetchTopic().setTopic("orders").setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                        .setFetchOffset(fetchOffset).setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(EPOCH)
                        .setLastFetchedEpoch(lastFetchedEpoch).setLogStartOffset(-1)))));
        FetchResponseData response = (FetchResponseData) handler.handle(null, new DecodedRequest(ApiKey.FETCH,
                version, 1, "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return response.responses().get(0).partitions().get(0);
    }

    static Stream<Arguments> diverging() {
        return Stream.of(
                Arguments.of("the epoch ends before the fetch offset", 3, 6L, 3, 5L),
                Arguments.of("an epoch the leader never had: its predecessor", 4, 5L, 3, 5L),
                Arguments.of("a skipped epoch between the first two", 2, 2L, 1, 2L),
                Arguments.of("the first epoch, fetched past its end", 1, 3L, 1, 2L),
                Arguments.of("the current epoch, past the log end", EPOCH, 8L, EPOCH, 7L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("diverging")
    void aDivergedLogGetsTheEpochAndEndOffsetToTruncateToAndNoRecordsAtOnce(String description,
            int lastFetchedEpoch, long fetchOffset, int expectedEpoch, long expectedEndOffset) throws Exception {
        for (int replicaId : new int[] {FOLLOWER, CONSUMER}) {
            for (short version : new short[] {FIRST_LAST_FETCHED_EPOCH_VERSION, LATEST_VERSION}) {
                FetchResponseData.PartitionData data = fetch(version, replicaId, fetchOffset, lastFetchedEpoch, 500);
                assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(data.divergingEpoch().epoch()).as("epoch").isEqualTo(expectedEpoch);
                assertThat(data.divergingEpoch().endOffset()).as("end offset").isEqualTo(expectedEndOffset);
                assertThat(data.records().sizeInBytes()).isZero();
                assertThat(data.highWatermark()).isEqualTo(7);
                assertThat(data.logStartOffset()).isZero();
            }
        }
        assertThat(purgatory.delayedCount()).as("answered without waiting for minBytes").isZero();
    }

    static Stream<Arguments> agreeing() {
        return Stream.of(
                Arguments.of("the current epoch, at the log end", EPOCH, 7L, List.of()),
                Arguments.of("the current epoch, inside it", EPOCH, 6L, List.of(5L)),
                Arguments.of("an older epoch, fetched up to its end", 3, 5L, List.of(5L)),
                Arguments.of("an older epoch, inside it", 3, 3L, List.of(2L, 5L)),
                Arguments.of("older than every epoch: its end is the first start", 0, 0L, List.of(0L, 2L, 5L)),
                Arguments.of("no last fetched epoch: no check", -1, 2L, List.of(2L, 5L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agreeing")
    void aLogThatAgreesIsReadAsUsual(String description, int lastFetchedEpoch, long fetchOffset,
            List<Long> expectedBatches) throws Exception {
        for (int replicaId : new int[] {FOLLOWER, CONSUMER}) {
            FetchResponseData.PartitionData data = fetch(LATEST_VERSION, replicaId, fetchOffset, lastFetchedEpoch, 0);
            assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(data.divergingEpoch().epoch()).isEqualTo(-1);
            assertThat(baseOffsets(data.records())).isEqualTo(expectedBatches);
            release(data.records());
        }
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void anEpochNewerThanEveryKnownOneOrAnOffsetBelowTheLogStartIsOutOfRange() throws Exception {
        FetchResponseData.PartitionData newer = fetch(LATEST_VERSION, FOLLOWER, 7, EPOCH + 1, 0);
        assertThat(newer.errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
        assertThat(newer.divergingEpoch().epoch()).isEqualTo(-1);

        PartitionLog log = fixture.log("orders", 0);
        assertThat(log.maybeAdvanceLogStartOffset(2)).isTrue();
        FetchResponseData.PartitionData deleted = fetch(LATEST_VERSION, FOLLOWER, 1, 1, 0);
        assertThat(deleted.errorCode()).as("even though epoch 1 diverges there")
                .isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
        assertThat(deleted.logStartOffset()).isEqualTo(2);
    }

    @Test
    void aStaleLeaderEpochIsRefusedBeforeTheDivergenceCheck() throws Exception {
        fixture.placement("orders", List.of(HandlerFixture.NODE_ID, FOLLOWER), List.of(HandlerFixture.NODE_ID,
                FOLLOWER), HandlerFixture.NODE_ID, EPOCH + 1);
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader()), new FetchManager(new FetchSessionCache(10, clock)), purgatory,
                Runnable::run, 1 << 20);
        FetchResponseData.PartitionData data = fetch(LATEST_VERSION, FOLLOWER, 6, 3, 0);
        assertThat(data.errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(data.divergingEpoch().epoch()).isEqualTo(-1);
    }
}
