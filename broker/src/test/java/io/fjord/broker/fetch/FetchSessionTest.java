package io.fjord.broker.fetch;

import static io.fjord.broker.fetch.FetchRequests.partition;
import static io.fjord.broker.fetch.FetchRequests.partitionsOf;
import static io.fjord.broker.fetch.FetchRequests.results;
import static io.fjord.broker.fetch.FetchRequests.session;
import static io.fjord.broker.fetch.FetchRequests.withRecords;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** KIP-227 scenarios through {@link FetchManager}. */
class FetchSessionTest {
    private static final short V12 = 12;
    private static final short V17 = 17;
    private static final UUID FOO_ID = new UUID(1, 1);
    private static final UUID BAR_ID = new UUID(2, 2);
    private static final UUID NEW_ID = new UUID(3, 3);

    private final ManualClock clock = new ManualClock(10_000);
    private final RandomGenerator random = new SplittableRandom(42);
    private final FetchSessionCache cache = new FetchSessionCache(10, 120_000, clock, random);
    private final FetchManager manager = new FetchManager(cache);
    private final Map<UUID, String> topicNamesById = new HashMap<>(Map.of(FOO_ID, "foo", BAR_ID, "bar"));
    private final Function<UUID, Optional<String>> topicNames = id -> Optional.ofNullable(topicNamesById.get(id));

    private FetchContext context(FetchRequests request) {
        return manager.newContext(request.build(), V17, topicNames);
    }

    /** Creates a session over foo-0, foo-1 and bar-0 (all at high watermark 10) and returns its id. */
    private int fullSession() {
        FetchContext full = context(session(0, 0).byId(FOO_ID, 0, 0).byId(FOO_ID, 1, 0).byId(BAR_ID, 0, 0));
        FetchResponseData response = full.updateAndGenerateResponse(results(full, 10));
        assertThat(response.sessionId()).isNotZero();
        return response.sessionId();
    }

    @Test
    void sessionlessFetchAnswersEveryPartitionAndCreatesNoSession() {
        FetchContext context = context(session(0, -1).byId(FOO_ID, 0, 5).byId(BAR_ID, 0, 7));

        assertThat(context.sessionError()).isEqualTo(Errors.NONE);
        assertThat(context.partitionsToRead()).extracting(PartitionToFetch::topicPartition, PartitionToFetch::fetchOffset)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(new TopicPartition("foo", 0), 5L),
                        org.assertj.core.groups.Tuple.tuple(new TopicPartition("bar", 0), 7L));
        FetchResponseData response = context.updateAndGenerateResponse(results(context, 10));

        assertThat(response.sessionId()).isZero();
        assertThat(partitionsOf(response)).containsExactly("foo-0", "bar-0");
        assertThat(response.responses().get(0).topicId()).isEqualTo(FOO_ID);
        assertThat(cache.size()).isZero();
    }

    @Test
    void fullFetchCreatesASessionAndAnswersEveryPartitionGroupedByTopic() {
        FetchContext full = context(session(0, 0).byId(FOO_ID, 0, 0).byId(FOO_ID, 1, 0).byId(BAR_ID, 0, 0));
        FetchResponseData response = full.updateAndGenerateResponse(results(full, 10));

        assertThat(response.sessionId()).isPositive();
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.responses()).hasSize(2);
        assertThat(partitionsOf(response)).containsExactly("foo-0", "foo-1", "bar-0");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.totalPartitions()).isEqualTo(3);
    }

    @Test
    void incrementalFetchWithoutChangesAnswersNoPartitionsAndTheEpochMovesOn() {
        int sessionId = fullSession();

        FetchContext first = context(session(sessionId, 1));
        assertThat(first.partitionsToRead()).hasSize(3);
        FetchResponseData response = first.updateAndGenerateResponse(results(first, 10));
        assertThat(response.sessionId()).isEqualTo(sessionId);
        assertThat(response.responses()).isEmpty();

        FetchContext second = context(session(sessionId, 2));
        assertThat(second.sessionError()).isEqualTo(Errors.NONE);
        assertThat(second.updateAndGenerateResponse(results(second, 10)).responses()).isEmpty();
    }

    @Test
    void incrementalFetchAnswersOnlyPartitionsWithNews() {
        int sessionId = fullSession();
        FetchContext context = context(session(sessionId, 1));
        Map<TopicPartition, FetchResponseData.PartitionData> results = results(context, 10);
        results.put(new TopicPartition("foo", 1), partition(11));
        results.put(new TopicPartition("bar", 0), withRecords(10, 100));

        FetchResponseData response = context.updateAndGenerateResponse(results);

        assertThat(partitionsOf(response)).containsExactly("foo-1", "bar-0");
    }

    @Test
    void changedLogStartOffsetAndErrorsAreNews() {
        int sessionId = fullSession();
        FetchContext context = context(session(sessionId, 1));
        Map<TopicPartition, FetchResponseData.PartitionData> results = results(context, 10);
        results.put(new TopicPartition("foo", 0), partition(10).setLogStartOffset(3));
        results.put(new TopicPartition("bar", 0),
                partition(-1).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()));
        assertThat(partitionsOf(context.updateAndGenerateResponse(results))).containsExactly("foo-0", "bar-0");

        // The error is gone and the high watermark is what it was before: still sent, since the fetcher saw an error.
        FetchContext next = context(session(sessionId, 2));
        assertThat(partitionsOf(next.updateAndGenerateResponse(results(next, 10)))).containsExactly("foo-0", "bar-0");
    }

    @Test
    void partitionsThatReturnedRecordsMoveToTheEndOfTheSession() {
        int sessionId = fullSession();
        FetchContext context = context(session(sessionId, 1));
        Map<TopicPartition, FetchResponseData.PartitionData> results = results(context, 10);
        results.put(new TopicPartition("foo", 0), withRecords(10, 50));
        context.updateAndGenerateResponse(results);

        FetchContext next = context(session(sessionId, 2));
        assertThat(next.partitionsToRead()).extracting(PartitionToFetch::topicPartition).containsExactly(
                new TopicPartition("foo", 1), new TopicPartition("bar", 0), new TopicPartition("foo", 0));
    }

    @Test
    void incrementalFetchAddsUpdatesAndForgetsPartitions() {
        int sessionId = fullSession();
        FetchContext context = context(session(sessionId, 1)
                .byId(FOO_ID, 1, 42)
                .byId(BAR_ID, 1, 0)
                .forgetById(FOO_ID, 0));

        assertThat(context.partitionsToRead())
                .extracting(partition -> partition.topicPartition().toString() + "@" + partition.fetchOffset())
                .containsExactly("foo-1@42", "bar-0@0", "bar-1@0");
        FetchResponseData response = context.updateAndGenerateResponse(results(context, 10));
        assertThat(partitionsOf(response)).as("only the added partition is new").containsExactly("bar-1");
        assertThat(cache.totalPartitions()).isEqualTo(3);

        FetchContext next = context(session(sessionId, 2));
        assertThat(next.partitionsToRead()).extracting(partition -> partition.topicPartition().toString())
                .containsExactly("foo-1", "bar-0", "bar-1");
    }

    @Test
    void forgettingEveryPartitionClosesTheSession() {
        int sessionId = fullSession();
        FetchContext context = context(session(sessionId, 1)
                .forgetById(FOO_ID, 0).forgetById(FOO_ID, 1).forgetById(BAR_ID, 0));

        assertThat(context.partitionsToRead()).isEmpty();
        assertThat(context.updateAndGenerateResponse(Map.of()).sessionId()).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void wrongEpochIsInvalidFetchSessionEpochAndLeavesTheSessionAlone() {
        int sessionId = fullSession();

        FetchContext stale = context(session(sessionId, 2));
        assertThat(stale.sessionError()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(stale.partitionsToRead()).isEmpty();
        FetchResponseData response = stale.updateAndGenerateResponse(Map.of());
        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(response.sessionId()).isZero();
        assertThat(response.responses()).isEmpty();

        assertThat(context(session(sessionId, 1)).sessionError()).isEqualTo(Errors.NONE);
        assertThat(context(session(sessionId, 1)).sessionError()).as("epoch 1 was used")
                .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
    }

    @Test
    void unknownSessionIdIsFetchSessionIdNotFound() {
        fullSession();
        assertThat(context(session(123, 1)).sessionError()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(context(session(0, 1)).sessionError()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void finalEpochClosesTheSessionAndFetchesWithoutOne() {
        int sessionId = fullSession();

        FetchContext closing = context(session(sessionId, -1).byId(FOO_ID, 0, 0));
        FetchResponseData response = closing.updateAndGenerateResponse(results(closing, 10));

        assertThat(response.sessionId()).isZero();
        assertThat(partitionsOf(response)).containsExactly("foo-0");
        assertThat(cache.size()).isZero();
        assertThat(context(session(sessionId, 1)).sessionError()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void initialEpochWithASessionIdReplacesThatSession() {
        int sessionId = fullSession();

        FetchContext restart = context(session(sessionId, 0).byId(FOO_ID, 0, 0));
        int newSessionId = restart.updateAndGenerateResponse(results(restart, 10)).sessionId();

        assertThat(newSessionId).isNotZero().isNotEqualTo(sessionId);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(context(session(sessionId, 1)).sessionError()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(context(session(newSessionId, 1)).sessionError()).isEqualTo(Errors.NONE);
    }

    @Test
    void unknownTopicIdIsAnsweredWithUnknownTopicIdUntilTheTopicAppears() {
        FetchContext full = context(session(0, 0).byId(FOO_ID, 0, 0).byId(NEW_ID, 0, 0));
        assertThat(full.partitionsToRead()).extracting(PartitionToFetch::topicPartition)
                .containsExactly(new TopicPartition("foo", 0));
        FetchResponseData response = full.updateAndGenerateResponse(results(full, 10));
        FetchResponseData.FetchableTopicResponse unknown = response.responses().get(1);
        assertThat(unknown.topicId()).isEqualTo(NEW_ID);
        assertThat(unknown.partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        int sessionId = response.sessionId();

        FetchContext stillUnknown = context(session(sessionId, 1));
        assertThat(partitionsOf(stillUnknown.updateAndGenerateResponse(results(stillUnknown, 10))))
                .as("errors are always news").containsExactly(NEW_ID + "-0");

        topicNamesById.put(NEW_ID, "new");
        FetchContext created = context(session(sessionId, 2));
        assertThat(created.partitionsToRead()).extracting(PartitionToFetch::topicPartition)
                .containsExactly(new TopicPartition("foo", 0), new TopicPartition("new", 0));
        assertThat(partitionsOf(created.updateAndGenerateResponse(results(created, 10)))).containsExactly("new-0");
    }

    @Test
    void sessionsBeforeVersion13UseTopicNames() {
        FetchContext full = manager.newContext(session(0, 0).byName("foo", 0, 0).byName("foo", 1, 0).build(), V12,
                id -> Optional.empty());
        int sessionId = full.updateAndGenerateResponse(results(full, 5)).sessionId();
        assertThat(sessionId).isNotZero();

        FetchContext incremental = manager.newContext(
                session(sessionId, 1).forgetByName("foo", 1).build(), V12, id -> Optional.empty());
        assertThat(incremental.partitionsToRead()).extracting(PartitionToFetch::topicPartition)
                .containsExactly(new TopicPartition("foo", 0));
        assertThat(incremental.partitionsToRead().get(0).topicId()).isEqualTo(new UUID(0, 0));
    }

    @Test
    void switchingBetweenTopicIdsAndNamesInOneSessionIsAnError() {
        int sessionId = fullSession();
        FetchContext context = manager.newContext(session(sessionId, 1).build(), V12, topicNames);
        assertThat(context.sessionError()).isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
    }

    @Test
    void incrementalResponseAfterAnotherRequestMovedTheEpochIsAnEpochError() {
        int sessionId = fullSession();
        FetchContext first = context(session(sessionId, 1));
        FetchContext second = context(session(sessionId, 2));

        assertThat(first.updateAndGenerateResponse(results(first, 10)).errorCode())
                .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(second.updateAndGenerateResponse(results(second, 10)).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void partitionWithoutAReadResultIsAnsweredWithAnError() {
        FetchContext context = context(session(0, -1).byId(FOO_ID, 0, 0));
        FetchResponseData response = context.updateAndGenerateResponse(Map.of());
        assertThat(response.responses().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
    }

    @Test
    void fullResponseIsGeneratedOnce() {
        FetchContext full = context(session(0, 0).byId(FOO_ID, 0, 0));
        full.updateAndGenerateResponse(results(full, 1));
        assertThatThrownBy(() -> full.updateAndGenerateResponse(results(full, 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(cache.size()).isEqualTo(1);
    }
}
