package io.fjord.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a leader reports of the other replicas (DescribeQuorum's ReplicaState, KIP-836): the time of each one's last
 * valid fetch and of when it was last caught up, on the leader's clock, for voters and observers alike; a replica
 * cut off keeps its old times, and one catching up again has fetched recently but was caught up only long ago.
 */
class ReplicaStateTest {
    /** A follower's fetch waits at most this long at the leader before it is answered and the next one comes. */
    private static final long FETCH_CADENCE_MS = RaftConfig.DEFAULT_FETCH_MAX_WAIT_MS + 100;

    private static ReplicaState stateOf(List<ReplicaState> states, int replicaId) {
        return states.stream().filter(state -> state.replicaId() == replicaId).findFirst().orElseThrow();
    }

    @Test
    void timesFollowTheLeadersClockForVotersAndObservers() {
        TestCluster cluster = TestCluster.of(3, 1);
        cluster.expireElectionTimeout(0);
        RaftNode leader = cluster.node(0);
        cluster.deliverUntil(() -> leader.role() == Role.LEADER);
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        // Before any fetch in the new epoch nothing is known.
        assertThat(leader.voterStates()).extracting(ReplicaState::replicaId).containsExactly(1, 2);
        assertThat(leader.voterStates()).allSatisfy(state -> {
            assertThat(state.lastFetchMs()).isEqualTo(ReplicaState.NEVER);
            assertThat(state.lastCaughtUpMs()).isEqualTo(ReplicaState.NEVER);
            assertThat(state.logEndOffset()).isEqualTo(-1);
        });

        cluster.proposeAsLeader(0, "a");
        cluster.advanceAll(1_000);
        long firstNowMs = cluster.clock(0);
        for (int replicaId : List.of(1, 2)) {
            ReplicaState voter = stateOf(leader.voterStates(), replicaId);
            assertThat(voter.lastFetchMs()).isBetween(firstNowMs - FETCH_CADENCE_MS, firstNowMs);
            assertThat(voter.lastCaughtUpMs()).isBetween(firstNowMs - FETCH_CADENCE_MS, firstNowMs);
        }
        ReplicaState observer = stateOf(leader.observerStates(), 3);
        assertThat(observer.lastFetchMs()).isBetween(firstNowMs - FETCH_CADENCE_MS, firstNowMs);
        assertThat(observer.lastCaughtUpMs()).isBetween(firstNowMs - FETCH_CADENCE_MS, firstNowMs);

        // The times move on with the clock.
        cluster.advanceAll(5_000);
        long laterNowMs = cluster.clock(0);
        assertThat(stateOf(leader.voterStates(), 1).lastCaughtUpMs())
                .isBetween(laterNowMs - FETCH_CADENCE_MS, laterNowMs).isGreaterThan(firstNowMs);
        assertThat(stateOf(leader.observerStates(), 3).lastFetchMs())
                .isBetween(laterNowMs - FETCH_CADENCE_MS, laterNowMs).isGreaterThan(firstNowMs);
    }

    @Test
    void aLaggingFollowerFetchesRecentlyButWasCaughtUpLongAgo() {
        // Small fetches: a follower far behind needs many fetches to catch up.
        TestCluster cluster = TestCluster.withFetchMaxBytes(3, 0, 64);
        cluster.elect(0);
        RaftNode leader = cluster.node(0);
        cluster.proposeAsLeader(0, "a");
        cluster.advanceAll(1_000);
        long cutAtMs = cluster.clock(0);

        cluster.partition(2);
        for (int i = 0; i < 20; i++) {
            cluster.proposeAsLeader(0, "entry-" + i + "-" + "x".repeat(40));
        }
        cluster.advanceAll(10_000);
        long nowMs = cluster.clock(0);
        ReplicaState cutOff = stateOf(leader.voterStates(), 2);
        assertThat(cutOff.lastFetchMs()).isLessThanOrEqualTo(cutAtMs);
        assertThat(cutOff.lastCaughtUpMs()).isLessThanOrEqualTo(cutAtMs);
        assertThat(stateOf(leader.voterStates(), 1).lastCaughtUpMs()).isBetween(nowMs - FETCH_CADENCE_MS, nowMs);

        // Healed, node 2 fetches again from far behind: it fetched now, but was last caught up before the cut.
        cluster.heal();
        for (int step = 0; step < 400 && stateOf(leader.voterStates(), 2).lastFetchMs() <= cutAtMs; step++) {
            for (int id = 0; id < 3; id++) {
                cluster.advance(id, 50);
            }
            cluster.deliverUntil(() -> stateOf(leader.voterStates(), 2).lastFetchMs() > cutAtMs);
        }
        ReplicaState lagging = stateOf(leader.voterStates(), 2);
        assertThat(lagging.lastFetchMs()).isGreaterThan(nowMs);
        assertThat(lagging.logEndOffset()).isLessThan(leader.logEndOffset());
        assertThat(lagging.lastCaughtUpMs()).isLessThanOrEqualTo(cutAtMs);

        // Once it has fetched up to the leader's end it is caught up as of now.
        cluster.deliverAll();
        long caughtUpNowMs = cluster.clock(0);
        assertThat(stateOf(leader.voterStates(), 2).lastCaughtUpMs()).isEqualTo(caughtUpNowMs);
    }
}
