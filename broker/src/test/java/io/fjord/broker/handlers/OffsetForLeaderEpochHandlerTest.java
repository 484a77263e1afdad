package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import io.fjord.storage.PartitionLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OffsetForLeaderEpochHandlerTest {
    private static final int EPOCH = HandlerFixture.LEADER_EPOCH;

    @TempDir
    Path directory;

    private HandlerFixture fixture;
    private OffsetForLeaderEpochHandler handler;

    /** orders-0 holds epoch 1 at offsets 0-1, epoch 3 at 2-4 and epoch 5 (the current one) at 5; log end 6. */
    @BeforeEach
    void setUp() {
        fixture = new HandlerFixture(directory);
        fixture.broker(2, false, "PLAINTEXT");
        fixture.topic("orders", 2);
        PartitionLog log = fixture.log("orders", 0);
        log.appendAsLeader(HandlerFixture.batch(1_000, "a", "b"), 1);
        log.appendAsLeader(HandlerFixture.batch(1_000, "c", "d", "e"), 3);
        log.appendAsLeader(HandlerFixture.batch(1_000, "f"), EPOCH);
        log.updateHighWatermark(4);
        handler = new OffsetForLeaderEpochHandler(fixture.cache(), fixture::findLog);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private EpochEndOffset ask(String topic, int partition, int currentLeaderEpoch, int leaderEpoch) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        request.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic)
                .setPartitions(new java.util.ArrayList<>(List.of(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(partition)
                                .setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch)))));
        OffsetForLeaderEpochResponseData response;
        try {
            response = (OffsetForLeaderEpochResponseData) handler.handle(null, new DecodedRequest(
                    ApiKey.OFFSET_FOR_LEADER_EPOCH, (short) 4, 1, "test", (short) 2, request, 0))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(response.topics()).singleElement().satisfies(result -> assertThat(result.topic()).isEqualTo(topic));
        EpochEndOffset answer = response.topics().get(0).partitions().get(0);
        assertThat(answer.partition()).isEqualTo(partition);
        return answer;
    }

    static Stream<Arguments> epochs() {
        return Stream.of(
                Arguments.of("the latest epoch ends at the log end", EPOCH, EPOCH, 6L),
                Arguments.of("an epoch the log skipped: the one before, to the next start", 4, 3, 5L),
                Arguments.of("a middle epoch ends where the next starts", 3, 3, 5L),
                Arguments.of("a skipped epoch between the first two", 2, 1, 2L),
                Arguments.of("the first epoch", 1, 1, 2L),
                Arguments.of("older than every epoch: itself, to the first start", 0, 0, 0L),
                Arguments.of("newer than every epoch: unknown", EPOCH + 1, -1, -1L),
                Arguments.of("the undefined epoch: unknown", -1, -1, -1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("epochs")
    void answersWhereTheRequestedEpochEndsAsKafkasEpochCache(String description, int requested, int expectedEpoch,
            long expectedEndOffset) {
        for (int current : new int[] {-1, EPOCH}) {
            EpochEndOffset answer = ask("orders", 0, current, requested);
            assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(answer.leaderEpoch()).as("epoch").isEqualTo(expectedEpoch);
            assertThat(answer.endOffset()).as("end offset").isEqualTo(expectedEndOffset);
        }
    }

    @Test
    void aLogWithoutEpochsAnswersUnknown() {
        EpochEndOffset answer = ask("orders", 1, EPOCH, 0);
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.leaderEpoch()).isEqualTo(-1);
        assertThat(answer.endOffset()).isEqualTo(-1);
    }

    @Test
    void aStaleOrFutureCurrentEpochAndANonLeaderAreRefusedWithKafkasErrors() {
        assertError(ask("orders", 0, EPOCH - 1, 3), Errors.FENCED_LEADER_EPOCH);
        assertError(ask("orders", 0, EPOCH + 1, 3), Errors.UNKNOWN_LEADER_EPOCH);
        assertError(ask("missing", 0, -1, 3), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(ask("orders", 9, -1, 3), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(ask("orders", -1, -1, 3), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        // A follower here: only the leader answers, consumers and followers alike (Kafka 4.4).
        fixture.placement("orders", List.of(2, HandlerFixture.NODE_ID), List.of(2, HandlerFixture.NODE_ID), 2, EPOCH);
        handler = new OffsetForLeaderEpochHandler(fixture.cache(), fixture::findLog);
        assertError(ask("orders", 0, EPOCH, 3), Errors.NOT_LEADER_OR_FOLLOWER);
        assertError(ask("orders", 0, EPOCH - 1, 3), Errors.FENCED_LEADER_EPOCH);
        // Not a replica here at all: NOT_LEADER_OR_FOLLOWER whatever the epoch.
        fixture.placement("orders", List.of(2), List.of(2), 2, EPOCH);
        handler = new OffsetForLeaderEpochHandler(fixture.cache(), fixture::findLog);
        assertError(ask("orders", 0, EPOCH - 1, 3), Errors.NOT_LEADER_OR_FOLLOWER);
    }

    private static void assertError(EpochEndOffset answer, Errors error) {
        assertThat(answer.errorCode()).isEqualTo(error.code());
        assertThat(answer.leaderEpoch()).isEqualTo(-1);
        assertThat(answer.endOffset()).isEqualTo(-1);
    }
}
