package io.fjord.raft;

import static io.fjord.raft.TestCluster.entry;
import static io.fjord.raft.TestCluster.leaderChange;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The classic Raft situations, played step by step on a {@link TestCluster} (each node has its own clock; messages
 * move only when the test delivers them).
 */
class RaftScenariosTest {

    @Test
    void splitVoteIsResolvedByANewElectionInTheNextEpoch() {
        TestCluster cluster = TestCluster.of(3, 0);
        // Node 2 is away. Nodes 0 and 1 time out together: each grants the other's pre-vote (nobody leads), so both
        // become candidates in epoch 1, vote for themselves and refuse each other.
        cluster.partition(2);
        cluster.expireElectionTimeout(0);
        cluster.expireElectionTimeout(1);
        cluster.deliverAll();
        assertThat(cluster.node(0).role()).isEqualTo(Role.CANDIDATE);
        assertThat(cluster.node(1).role()).isEqualTo(Role.CANDIDATE);
        assertThat(cluster.node(0).epoch()).isEqualTo(1);
        assertThat(cluster.node(1).epoch()).isEqualTo(1);
        assertThat(cluster.leaders()).isEmpty();

        // Election timeouts are random, so one of them tries again first: its pre-vote is granted by the other
        // candidate (which has no leader) and it wins epoch 2.
        cluster.expireElectionTimeout(0);
        cluster.deliverAll();
        assertThat(cluster.leaders()).containsExactly(0);
        assertThat(cluster.node(0).epoch()).isEqualTo(2);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);

        // Node 2 comes back; the leader keeps announcing its epoch to silent voters, so node 2 follows too.
        cluster.heal();
        cluster.advanceAll(1_500);
        assertThat(cluster.node(2).leaderId()).isEqualTo(0);
        cluster.proposeAsLeader(0, "x");
        cluster.deliverAll();
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.committedDataOf(id)).as("node %d", id).containsExactly("x");
        }
    }

    @Test
    void leaderPartitionedWithAMinorityStepsDownAndItsUncommittedEntriesAreTruncated() {
        TestCluster cluster = TestCluster.of(5, 0);
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(4)).containsExactly("a");

        // The leader and node 1 are cut off from nodes 2, 3 and 4. What the old leader takes now reaches node 1
        // only: a minority, so it is never committed.
        cluster.partition(0, 1);
        long highWatermarkBefore = cluster.node(0).highWatermark();
        cluster.proposeAsLeader(0, "lost-1", "lost-2");
        cluster.deliverAll();
        assertThat(cluster.dataOf(1)).containsExactly("a", "lost-1", "lost-2");
        assertThat(cluster.node(0).highWatermark()).isEqualTo(highWatermarkBefore);

        // Time passes. Nodes 2-4 stop hearing from the leader (fetch timeout, 2 s) and elect one of themselves; the
        // old leader stops being fetched from by a majority (check-quorum, 3 s) and resigns.
        cluster.advanceAll(3_500);
        assertThat(cluster.node(0).role()).isNotEqualTo(Role.LEADER);
        List<Integer> leaders = cluster.leaders();
        assertThat(leaders).hasSize(1);
        int newLeader = leaders.get(0);
        assertThat(newLeader).isIn(2, 3, 4);
        assertThat(cluster.node(newLeader).epoch()).isGreaterThan(1);
        cluster.proposeAsLeader(newLeader, "b");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(newLeader)).containsExactly("a", "b");

        // The partition heals: the old leader and node 1 learn the new epoch, find that their tails diverge from
        // the new leader's log, truncate them and catch up.
        cluster.heal();
        cluster.advanceAll(3_000);
        for (int id = 0; id < 5; id++) {
            assertThat(cluster.dataOf(id)).as("node %d", id).containsExactly("a", "b");
            assertThat(cluster.committedDataOf(id)).as("node %d", id).containsExactly("a", "b");
            assertThat(cluster.node(id).leaderId()).isEqualTo(newLeader);
        }
    }

    @Test
    void aLeaderWhoseProcessDiedIsReplacedWithinAFractionOfTheFetchTimeout() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.deliverAll();
        int epoch = cluster.node(0).epoch();

        // Node 0's process dies: the others' transports see its connections close at once and tell their cores.
        cluster.crash(0);
        cluster.peerUnreachable(1, 0);
        cluster.peerUnreachable(2, 0);
        // Each gives the leader up after a random delay below electionBackoffMaxMs / voters (333 ms), not after
        // the fetch timeout (2 s); whichever stands first gets the other's pre-vote (it no longer hears from a
        // leader) and its vote.
        cluster.advanceAll(400);
        assertThat(cluster.leaders()).hasSize(1);
        int next = cluster.leaders().get(0);
        assertThat(cluster.node(next).epoch()).isEqualTo(epoch + 1);
        cluster.proposeAsLeader(next, "b");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(next)).containsExactly("a", "b");
    }

    @Test
    void aSplitVoteAfterTheLeadersDeathIsRetriedAfterABackOffNotAnElectionTimeout() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(0);
        int epoch = cluster.node(0).epoch();
        cluster.crash(0);
        cluster.peerUnreachable(1, 0);
        cluster.peerUnreachable(2, 0);
        // Both give the dead leader up before either hears from the other: each grants the other's pre-vote, both
        // stand in the next epoch, vote for themselves and refuse each other.
        cluster.advance(1, 400);
        cluster.advance(2, 400);
        cluster.deliverAll();
        assertThat(cluster.node(1).role()).isEqualTo(Role.CANDIDATE);
        assertThat(cluster.node(2).role()).isEqualTo(Role.CANDIDATE);
        assertThat(cluster.node(1).epoch()).isEqualTo(epoch + 1);

        // Node 0 cannot answer (its transport said so): the round is lost, and each retries after a random back-off
        // below electionBackoffMaxMs (1 s) instead of waiting for an election timeout (1-2 s).
        cluster.advanceAll(1_000);
        assertThat(cluster.leaders()).hasSize(1);
        assertThat(cluster.node(cluster.leaders().get(0)).epoch()).isGreaterThan(epoch + 1);
    }

    @Test
    void aFollowerWhoseConnectionToALiveLeaderResetsDoesNotDisturbIt() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.deliverAll();
        int epoch = cluster.node(0).epoch();

        // Only node 1 is told (a reset connection; the leader is alive and node 2 hears from it). Node 1 stands
        // early, but node 2 refuses its pre-vote naming the leader, and node 1 follows it again.
        cluster.peerUnreachable(1, 0);
        cluster.advanceAll(400);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.leaders()).containsExactly(0);
        assertThat(cluster.node(1).epoch()).isEqualTo(epoch);
        assertThat(cluster.wasDelivered(message -> message instanceof VoteRequest vote && vote.source() == 1
                && vote.preVote())).isTrue();
        cluster.proposeAsLeader(0, "b");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(1)).containsExactly("a", "b");
    }

    @Test
    void nodeRejoiningWithAStaleLogCatchesUpWithoutDisturbingTheLeader() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(0);
        cluster.crash(2);
        for (int i = 0; i < 10; i++) {
            cluster.proposeAsLeader(0, "e" + i, "f" + i);
            cluster.deliverAll();
        }
        assertThat(cluster.committedDataOf(0)).hasSize(20);
        int epoch = cluster.node(0).epoch();

        // Node 2 restarts with its old log and no leader. Its election timeout fires, but its pre-votes are refused
        // (the leader and its follower have a leader), so the epoch stays; the leader's reminder brings it back.
        cluster.restart(2);
        cluster.advanceAll(4_000);
        assertThat(cluster.node(0).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(0).epoch()).isEqualTo(epoch);
        assertThat(cluster.node(2).epoch()).isEqualTo(epoch);
        assertThat(cluster.node(2).leaderId()).isEqualTo(0);
        assertThat(cluster.log(2)).isEqualTo(cluster.log(0));
        assertThat(cluster.committedDataOf(2)).isEqualTo(cluster.committedDataOf(0));
    }

    /**
     * Figure 8 of the Raft paper in KRaft terms: an entry of an earlier epoch that the new leader has copied to a
     * majority is still not committed (the leader counts replicas only for entries of its own epoch), and indeed a
     * voter with a newer last epoch may still be elected and overwrite it.
     */
    @Test
    void entryOfAnEarlierEpochOnAMajorityIsNotCommittedAndMayBeOverwritten() {
        // Epoch 1 (leader 0) committed its leader-change entry everywhere. In epoch 2 node 0 led again and appended
        // "a", which only node 1 got. In epoch 3 node 4 led (voted by 2 and 3) and appended "b", which nobody got.
        List<LogEntry> epochOne = List.of(leaderChange(0, 1, 0));
        List<LogEntry> withA = List.of(leaderChange(0, 1, 0), leaderChange(1, 2, 0), entry(2, 2, "a"));
        List<LogEntry> withB = List.of(leaderChange(0, 1, 0), leaderChange(1, 3, 4), entry(2, 3, "b"));
        TestCluster cluster = TestCluster.fromDisks(5, 1, Map.of(
                0, new TestCluster.Disk(3, DurableState.NO_VOTE, withA),
                1, new TestCluster.Disk(3, DurableState.NO_VOTE, withA),
                2, new TestCluster.Disk(3, 4, epochOne),
                3, new TestCluster.Disk(3, 4, epochOne),
                4, new TestCluster.Disk(3, 4, withB)));

        // Nodes 3 and 4 are away. Node 0 wins epoch 4 with the votes of 1 and 2 and appends its leader-change entry.
        cluster.partition(0, 1, 2);
        cluster.expireElectionTimeout(0);
        cluster.deliverUntil(() -> cluster.node(0).role() == Role.LEADER);
        assertThat(cluster.node(0).epoch()).isEqualTo(4);
        cluster.deliverUntil(() -> cluster.node(1).role() == Role.FOLLOWER && cluster.node(2).role() == Role.FOLLOWER);
        // Node 1's link from the leader fails: it fetches (at offset 3) but gets no answers. Node 2 fetches "a" one
        // entry at a time and then fetches at offset 3 too.
        cluster.cut(0, 1);
        cluster.deliverUntil(() -> cluster.wasDelivered(message -> message instanceof FetchRequest fetch
                && fetch.source() == 2 && fetch.fetchOffset() == 3));
        assertThat(cluster.wasDelivered(message -> message instanceof FetchRequest fetch && fetch.source() == 1
                && fetch.fetchOffset() == 3)).isTrue();
        // "a" is on nodes 0, 1 and 2, a majority, and the leader knows it; yet it is not committed, because the
        // leader's own epoch-4 entry is on the leader only.
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.log(id).get(2)).isEqualTo(entry(2, 2, "a"));
        }
        assertThat(cluster.node(0).highWatermark()).isLessThanOrEqualTo(2);

        // The leader crashes, its last answers lost. Nodes 1 and 2 time out on it.
        cluster.crash(0);
        cluster.dropInFlight();
        cluster.heal();
        cluster.advance(1, RaftConfig.DEFAULT_FETCH_TIMEOUT_MS);
        cluster.advance(2, RaftConfig.DEFAULT_FETCH_TIMEOUT_MS);
        cluster.dropInFlight();
        // Node 4 stands: its last epoch (3) is newer than the others' (2 and 1), so it may win, learning epoch 4 on
        // its first try and winning epoch 5 on the second.
        cluster.expireElectionTimeout(4);
        cluster.deliverAll();
        cluster.expireElectionTimeout(4);
        cluster.deliverAll();
        assertThat(cluster.leaders()).containsExactly(4);
        assertThat(cluster.node(4).epoch()).isEqualTo(5);

        // Its log wins: "a" is truncated where it sat on a majority, which is safe only because it was never
        // committed. The restarted node 0 converges too.
        cluster.restart(0);
        cluster.advanceAll(2_000);
        for (int id = 0; id < 5; id++) {
            assertThat(cluster.dataOf(id)).as("node %d", id).containsExactly("b");
            assertThat(cluster.committedDataOf(id)).as("node %d", id).containsExactly("b");
        }
    }

    @Test
    void observerFindsTheLeaderAndFollowsTheCommittedLogWithoutVoting() {
        TestCluster cluster = TestCluster.of(3, 1);
        int observer = 3;
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a", "b");
        cluster.deliverAll();
        cluster.advanceAll(1_000);
        assertThat(cluster.node(observer).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(observer).leaderId()).isEqualTo(0);
        assertThat(cluster.committedDataOf(observer)).containsExactly("a", "b");

        // The observer's fetches do not count towards commits: with both voting followers gone, nothing commits.
        cluster.crash(1);
        cluster.crash(2);
        long highWatermark = cluster.node(0).highWatermark();
        cluster.proposeAsLeader(0, "c");
        cluster.deliverAll();
        assertThat(cluster.dataOf(observer)).containsExactly("a", "b", "c");
        assertThat(cluster.node(0).highWatermark()).isEqualTo(highWatermark);

        // And an observer never stands for election, however long it waits.
        cluster.advance(observer, 10_000);
        assertThat(cluster.node(observer).role()).isIn(Role.FOLLOWER, Role.UNATTACHED);
        assertThat(cluster.node(observer).epoch()).isEqualTo(cluster.node(0).epoch());
    }

    @Test
    void aLostFetchAnswerIsRetriedBeforeTheFollowerGivesUpOnItsLeader() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(0);
        int epoch = cluster.node(0).epoch();
        // The followers' fetches wait at the leader; when their wait ends the answers are lost on the way.
        cluster.advance(0, RaftConfig.DEFAULT_FETCH_MAX_WAIT_MS);
        cluster.dropInFlight();
        // Follower 1 sends its fetch again after half a fetch timeout, well before it would give up on the leader.
        cluster.advance(1, RaftConfig.DEFAULT_FETCH_TIMEOUT_MS / 2);
        cluster.deliverAll();
        cluster.advance(0, RaftConfig.DEFAULT_FETCH_MAX_WAIT_MS);
        cluster.deliverAll();
        cluster.advance(1, RaftConfig.DEFAULT_FETCH_TIMEOUT_MS - 100);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).epoch()).isEqualTo(epoch);
        // Follower 2 retries too, but its retry is never delivered: it gives up after a whole fetch timeout.
        cluster.advance(2, RaftConfig.DEFAULT_FETCH_TIMEOUT_MS + 100);
        assertThat(cluster.node(2).role()).isNotEqualTo(Role.FOLLOWER);
    }

    @Test
    void proposalsToANonLeaderAreRefusedWithTheKnownLeader() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(1);
        ProposeResult result = cluster.propose(0, "x");
        assertThat(result.error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(result.leaderId()).isEqualTo(1);
    }

    @Test
    void aNodeBehindTheLeadersLogStartCatchesUpFromItsSnapshotInChunks() {
        // Fetch responses and snapshot chunks carry at most 16 bytes: the snapshot takes several round trips.
        TestCluster cluster = TestCluster.withFetchMaxBytes(3, 0, 16);
        cluster.elect(0);
        cluster.crash(2);
        for (int i = 0; i < 10; i++) {
            cluster.proposeAsLeader(0, "e" + i);
            cluster.deliverAll();
        }
        assertThat(cluster.committedDataOf(0)).hasSize(10);

        // The leader's state machine snapshots everything committed; the log before the snapshot is deleted.
        OffsetAndEpoch snapshot = cluster.takeSnapshot(0);
        assertThat(snapshot.offset()).isEqualTo(cluster.node(0).highWatermark());
        assertThat(cluster.node(0).logStartOffset()).isEqualTo(snapshot.offset());
        assertThat(cluster.log(0)).isEmpty();
        assertThat(cluster.committedDataOf(0)).hasSize(10);

        // Node 2 comes back with an empty log. Its fetch from offset 0 is below the leader's log start: the answer
        // names the snapshot, which node 2 fetches in chunks, installs, and then follows the log after it.
        cluster.restart(2);
        cluster.advanceAll(3_000);
        assertThat(cluster.wasDelivered(message -> message instanceof FetchResponse fetch
                && snapshot.equals(fetch.snapshotId()) && fetch.destination() == 2)).isTrue();
        List<FetchSnapshotRequest> chunkRequests = cluster.deliveredOf(FetchSnapshotRequest.class);
        assertThat(chunkRequests.size()).isGreaterThan(2);
        assertThat(chunkRequests.get(0).position()).isZero();
        assertThat(chunkRequests).extracting(FetchSnapshotRequest::position).isSorted();
        assertThat(cluster.node(2).latestSnapshotId()).isEqualTo(snapshot);
        assertThat(cluster.node(2).logStartOffset()).isEqualTo(snapshot.offset());
        assertThat(cluster.committedDataOf(2)).isEqualTo(cluster.committedDataOf(0));

        cluster.proposeAsLeader(0, "after");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(2)).hasSize(11).endsWith("after");

        // A restart recovers from the snapshot: the log starts there and so does the high watermark.
        cluster.crash(2);
        cluster.restart(2);
        assertThat(cluster.node(2).logStartOffset()).isEqualTo(snapshot.offset());
        assertThat(cluster.node(2).highWatermark()).isEqualTo(snapshot.offset());
        assertThat(cluster.snapshotDataOf(2)).containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8",
                "e9");
        cluster.advanceAll(3_000);
        assertThat(cluster.committedDataOf(2)).isEqualTo(cluster.committedDataOf(0));
    }

    @Test
    void aResigningLeaderHandsOverToTheMostCaughtUpVoterWithinAFractionOfTheElectionTimeout() {
        TestCluster cluster = TestCluster.of(5, 0);
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.deliverAll();
        // The leader's answers stop reaching voters one by one: node 4 misses "b" and "c", node 3 misses "c", node
        // 2 misses "d". "c" is committed (nodes 0, 1, 2), "d" is on nodes 0 and 1 only.
        cluster.cut(0, 4);
        cluster.proposeAsLeader(0, "b");
        cluster.deliverAll();
        cluster.cut(0, 3);
        cluster.proposeAsLeader(0, "c");
        cluster.deliverAll();
        cluster.cut(0, 2);
        cluster.proposeAsLeader(0, "d");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(0)).containsExactly("a", "b", "c");

        // Controlled shutdown: the leader resigns and names its successors, the most caught up first.
        cluster.heal();
        cluster.resign(0);
        cluster.crash(0);
        cluster.deliverAll();
        List<EndQuorumEpochRequest> resignations = cluster.deliveredOf(EndQuorumEpochRequest.class);
        assertThat(resignations).hasSize(4);
        assertThat(resignations.get(0).preferredCandidates()).containsExactly(1, 2, 3, 4);

        // Node 1 stands first (its back-off is the shortest) and wins well before any election timeout.
        cluster.advanceAll(TestCluster.ELECTION_TIMEOUT_MS / 2);
        assertThat(cluster.leaders()).containsExactly(1);
        cluster.advanceAll(500);
        for (int id = 1; id < 5; id++) {
            assertThat(cluster.committedDataOf(id)).as("node %d", id).containsExactly("a", "b", "c", "d");
        }
    }

    @Test
    void anObserverThatCaughtUpBecomesAVoterOneChangeAtATime() {
        TestCluster cluster = TestCluster.of(3, 1);
        int observer = 3;
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.advanceAll(1_000);
        assertThat(cluster.node(observer).leaderId()).isEqualTo(0);
        assertThat(cluster.node(observer).isVoter()).isFalse();

        // A voter cannot be added twice.
        cluster.requestAddVoter(0, 1);
        // The observer fetches from the leader's log end: it is caught up, so the leader appends the new voter
        // set, which is in force on the leader at once.
        cluster.requestAddVoter(0, observer);
        cluster.deliverUntil(() -> cluster.node(0).voters().ids().contains(observer));
        assertThat(cluster.node(0).voters().ids()).containsExactly(0, 1, 2, 3);
        // Only one change at a time: another one waits until that one is committed.
        cluster.requestRemoveVoter(0, 2);
        cluster.deliverAll();
        assertThat(cluster.adminAnswers()).containsExactly(Errors.DUPLICATE_VOTER, Errors.REQUEST_TIMED_OUT,
                Errors.NONE);
        for (int id = 0; id < 4; id++) {
            assertThat(cluster.node(id).voters().ids()).as("node %d", id).containsExactly(0, 1, 2, 3);
        }
        assertThat(cluster.node(observer).isVoter()).isTrue();

        // The new voter counts for commits: without node 2, the leader needs both node 1 and node 3 (3 of 4).
        cluster.crash(2);
        cluster.proposeAsLeader(0, "b");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(0)).containsExactly("a", "b");
        cluster.crash(1);
        cluster.proposeAsLeader(0, "c");
        cluster.deliverAll();
        assertThat(cluster.committedDataOf(0)).containsExactly("a", "b");
    }

    @Test
    void addingAnObserverThatIsNotCaughtUpTimesOut() {
        TestCluster cluster = TestCluster.of(3, 1);
        cluster.crash(3);
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.deliverAll();
        cluster.requestAddVoter(0, 3);
        cluster.requestAddVoter(1, 3);
        // Node 3 answers neither the leader's ApiVersions nor fetches: refused at the request timeout.
        cluster.advanceAll(RaftConfig.DEFAULT_REQUEST_TIMEOUT_MS + 100);
        assertThat(cluster.adminAnswers()).containsExactly(Errors.NOT_LEADER_OR_FOLLOWER, Errors.REQUEST_TIMED_OUT);
        assertThat(cluster.node(0).voters().ids()).containsExactly(0, 1, 2);
    }

    @Test
    void aLeaderThatRemovesItselfLeadsUntilTheRemovalIsCommittedThenResignsAndObserves() {
        TestCluster cluster = TestCluster.of(3, 0);
        cluster.elect(0);
        cluster.proposeAsLeader(0, "a");
        cluster.deliverAll();

        // The new voter set {1, 2} is in force on the leader at once: it is not a voter any more, but it leads
        // until the set is committed by a majority of the new set (both followers fetch past it).
        cluster.requestRemoveVoter(0, 0);
        assertThat(cluster.node(0).isVoter()).isFalse();
        assertThat(cluster.node(0).role()).isEqualTo(Role.LEADER);
        cluster.deliverAll();
        assertThat(cluster.adminAnswers()).containsExactly(Errors.NONE);
        assertThat(cluster.node(0).role()).isEqualTo(Role.RESIGNED);
        assertThat(cluster.node(1).voters().ids()).containsExactly(1, 2);

        // The followers got its EndQuorumEpoch and elect one of themselves; node 0 follows the new leader as an
        // observer and never stands again.
        cluster.advanceAll(3_000);
        List<Integer> leaders = cluster.leaders();
        assertThat(leaders).hasSize(1).doesNotContain(0);
        int newLeader = leaders.get(0);
        cluster.proposeAsLeader(newLeader, "b");
        cluster.advanceAll(1_000);
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.committedDataOf(id)).as("node %d", id).containsExactly("a", "b");
        }
        assertThat(cluster.node(0).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(0).leaderId()).isEqualTo(newLeader);
        cluster.advance(0, 10_000);
        assertThat(cluster.node(0).role()).isIn(Role.FOLLOWER, Role.UNATTACHED);
    }
}
