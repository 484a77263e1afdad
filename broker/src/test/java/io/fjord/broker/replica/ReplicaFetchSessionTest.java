package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The follower's side of a KIP-227 fetch session: what each round sends, forgets, and when it starts over. */
class ReplicaFetchSessionTest {
    private static final short VERSION = 17;
    private static final UUID TOPIC_ID = UUID.randomUUID();
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final ReplicaFetchSession session = new ReplicaFetchSession();
    private final PartitionFetchState state0 = new PartitionFetchState(TOPIC_ID, 3);
    private final PartitionFetchState state1 = new PartitionFetchState(TOPIC_ID, 3);

    private PlannedFetch p0At(long offset) {
        return new PlannedFetch(P0, state0, null, offset, 3, 0);
    }

    private PlannedFetch p1At(long offset) {
        return new PlannedFetch(P1, state1, null, offset, 3, 0);
    }

    private static FetchResponseData answer(int sessionId) {
        return new FetchResponseData().setSessionId(sessionId);
    }

    private static FetchResponseData error(Errors error) {
        return new FetchResponseData().setErrorCode(error.code());
    }

    /** Opens session 9 with both partitions at offset 10. */
    private void open() {
        ReplicaFetchSession.Request first = session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(first.full()).isTrue();
        assertThat(first.sessionId()).isZero();
        assertThat(first.epoch()).isZero();
        assertThat(first.toSend()).hasSize(2);
        assertThat(session.handleResponse(answer(9))).isTrue();
    }

    @Test
    void afterTheFullFetchRoundsNameOnlyPartitionsThatMovedWithConsecutiveEpochs() {
        open();
        ReplicaFetchSession.Request unchanged = session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(unchanged.full()).isFalse();
        assertThat(unchanged.sessionId()).isEqualTo(9);
        assertThat(unchanged.epoch()).isEqualTo(1);
        assertThat(unchanged.toSend()).isEmpty();
        assertThat(unchanged.toForget()).isEmpty();
        assertThat(session.handleResponse(answer(9))).isTrue();

        ReplicaFetchSession.Request moved = session.next(VERSION, List.of(p0At(10), p1At(14)));
        assertThat(moved.epoch()).isEqualTo(2);
        assertThat(moved.toSend()).extracting(PlannedFetch::topicPartition).containsExactly(P1);
        assertThat(session.handleResponse(answer(9))).isTrue();
        assertThat(session.next(VERSION, List.of(p0At(10), p1At(14))).toSend()).isEmpty();
    }

    @Test
    void aPartitionLeftOutIsForgottenAndSentWholeWhenItComesBack() {
        open();
        ReplicaFetchSession.Request without = session.next(VERSION, List.of(p0At(10)));
        assertThat(without.toSend()).isEmpty();
        assertThat(without.toForget()).containsExactly(new ReplicaFetchSession.Forgotten(P1, TOPIC_ID));
        assertThat(session.handleResponse(answer(9))).isTrue();

        ReplicaFetchSession.Request back = session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(back.toSend()).extracting(PlannedFetch::topicPartition).containsExactly(P1);
        assertThat(back.toForget()).isEmpty();
    }

    @Test
    void aNewLeaderEpochOrARecreatedTopicIsSentAgain() {
        open();
        PlannedFetch newEpoch = new PlannedFetch(P0, new PartitionFetchState(TOPIC_ID, 4), null, 10, 3, 0);
        UUID recreated = UUID.randomUUID();
        PlannedFetch newTopic = new PlannedFetch(P1, new PartitionFetchState(recreated, 3), null, 0, -1, 0);
        ReplicaFetchSession.Request round = session.next(VERSION, List.of(newEpoch, newTopic));
        assertThat(round.toSend()).containsExactly(newEpoch, newTopic);
        // The session keys partitions by topic id: the old topic's partition leaves it.
        assertThat(round.toForget()).containsExactly(new ReplicaFetchSession.Forgotten(P1, TOPIC_ID));
    }

    @Test
    void sessionErrorsAndFailuresStartOverWithAFullFetch() {
        open();
        session.next(VERSION, List.of(p0At(10), p1At(10)));
        // A session error carries no partitions: the fetcher skips the answer and goes again at once.
        assertThat(session.handleResponse(error(Errors.INVALID_FETCH_SESSION_EPOCH))).isFalse();
        ReplicaFetchSession.Request again = session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(again.full()).isTrue();
        assertThat(again.sessionId()).isEqualTo(9); // epoch 0 with the old id closes it on the leader
        assertThat(again.epoch()).isZero();
        assertThat(session.handleResponse(answer(12))).isTrue();

        session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(session.handleResponse(error(Errors.FETCH_SESSION_ID_NOT_FOUND))).isFalse();
        ReplicaFetchSession.Request afresh = session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(afresh.full()).isTrue();
        assertThat(afresh.sessionId()).isZero();
        assertThat(session.handleResponse(answer(13))).isTrue();

        session.next(VERSION, List.of(p0At(10), p1At(10)));
        session.handleFailure();
        assertThat(session.next(VERSION, List.of(p0At(10), p1At(10))).full()).isTrue();
        assertThat(session.handleResponse(answer(14))).isTrue();

        // Another error of the whole response is applied (the fetcher backs off) and also starts over.
        session.next(VERSION, List.of(p0At(10), p1At(10)));
        assertThat(session.handleResponse(error(Errors.UNKNOWN_SERVER_ERROR))).isTrue();
        assertThat(session.next(VERSION, List.of(p0At(10), p1At(10))).full()).isTrue();
    }

    @Test
    void aLeaderThatOpensNoSessionOrClosesItGetsFullFetches() {
        session.next(VERSION, List.of(p0At(10)));
        assertThat(session.handleResponse(answer(0))).isTrue();
        ReplicaFetchSession.Request second = session.next(VERSION, List.of(p0At(10)));
        assertThat(second.full()).isTrue();
        assertThat(second.toSend()).hasSize(1);
        assertThat(session.handleResponse(answer(5))).isTrue();

        assertThat(session.next(VERSION, List.of(p0At(10))).full()).isFalse();
        // The leader answered sessionless: it closed the session.
        assertThat(session.handleResponse(answer(0))).isTrue();
        assertThat(session.sessionId()).isZero();
        assertThat(session.next(VERSION, List.of(p0At(10))).full()).isTrue();
    }

    @Test
    void anotherFetchVersionStartsANewSession() {
        open();
        ReplicaFetchSession.Request older = session.next((short) 12, List.of(p0At(10), p1At(10)));
        assertThat(older.full()).isTrue();
        assertThat(older.toSend()).hasSize(2);
    }
}
