package io.fjord.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** One node's rules, message by message. */
class RaftNodeTest {
    private static final Set<Integer> VOTERS = Set.of(0, 1, 2);

    private static RaftNode node(int id, DurableState state, List<LogEntry> log) {
        return new RaftNode(RaftConfig.withDefaults(id, VOTERS), state, log, new Random(id), 0);
    }

    private static List<LogEntry> logOf(int... epochs) {
        List<LogEntry> log = new ArrayList<>();
        for (int epoch : epochs) {
            log.add(TestCluster.entry(log.size(), epoch, "e" + log.size()));
        }
        return log;
    }

    private static <T extends RaftMessage> T only(Ready ready, Class<T> type) {
        List<T> matching = ready.messages().stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    @Test
    void grantsOneVotePerEpochAndAsksForItToBeDurableInTheSameReady() {
        RaftNode voter = node(0, new DurableState(3, DurableState.NO_VOTE), logOf(1, 2));
        voter.ready();
        voter.handle(new VoteRequest(1, 0, 7, 4, 1, 2, 2, false));
        Ready ready = voter.ready();
        assertThat(ready.durableState()).isEqualTo(new DurableState(4, 1));
        VoteResponse granted = only(ready, VoteResponse.class);
        assertThat(granted.voteGranted()).isTrue();
        assertThat(granted.correlationId()).isEqualTo(7);

        voter.handle(new VoteRequest(2, 0, 8, 4, 2, 2, 5, false));
        VoteResponse refused = only(voter.ready(), VoteResponse.class);
        assertThat(refused.voteGranted()).isFalse();
        assertThat(refused.leaderEpoch()).isEqualTo(4);
    }

    @Test
    void refusesACandidateWhoseLogIsBehind() {
        RaftNode voter = node(0, new DurableState(3, DurableState.NO_VOTE), logOf(1, 3, 3));
        voter.ready();
        // Older last epoch, even with a longer log.
        voter.handle(new VoteRequest(1, 0, 1, 4, 1, 2, 10, false));
        assertThat(only(voter.ready(), VoteResponse.class).voteGranted()).isFalse();
        // Same last epoch, shorter log.
        voter.handle(new VoteRequest(2, 0, 2, 4, 2, 3, 2, false));
        assertThat(only(voter.ready(), VoteResponse.class).voteGranted()).isFalse();
        assertThat(voter.epoch()).isEqualTo(4);
    }

    @Test
    void preVoteChangesNothingDurable() {
        RaftNode voter = node(0, new DurableState(3, DurableState.NO_VOTE), logOf(1));
        voter.ready();
        voter.handle(new VoteRequest(1, 0, 1, 3, 1, 1, 1, true));
        Ready ready = voter.ready();
        assertThat(ready.durableState()).isNull();
        VoteResponse response = only(ready, VoteResponse.class);
        assertThat(response.voteGranted()).isTrue();
        assertThat(response.preVote()).isTrue();
        assertThat(voter.epoch()).isEqualTo(3);
    }

    @Test
    void followerRefusesPreVotesWhileItHearsFromItsLeader() {
        RaftNode follower = node(0, new DurableState(3, DurableState.NO_VOTE), logOf(1));
        follower.handle(new BeginQuorumEpochRequest(2, 0, 1, 2, 3));
        follower.ready();
        follower.handle(new VoteRequest(1, 0, 2, 3, 1, 1, 1, true));
        assertThat(only(follower.ready(), VoteResponse.class).voteGranted()).isFalse();
    }

    @Test
    void leaderAnswersADivergingFetchWithTheLargestMatchingEpochAndItsEnd() {
        // Leader 0 of epoch 3 holds epochs 1 (offsets 0-1) and 3 (2-3, with its leader-change entry at 3).
        RaftNode leader = node(0, new DurableState(2, DurableState.NO_VOTE), logOf(1, 1, 2));
        leader.tick(5_000);
        Ready preVotes = leader.ready();
        leader.handle(new VoteResponse(1, 0, -1, Errors.NONE, -1, 2, true, true));
        // No pre-vote request is outstanding with that correlation id, so nothing happens yet.
        assertThat(leader.role()).isEqualTo(Role.PROSPECTIVE);
        VoteRequest preVote = preVotes.messages().stream().filter(VoteRequest.class::isInstance)
                .map(VoteRequest.class::cast).filter(request -> request.destination() == 1).findFirst().orElseThrow();
        leader.handle(new VoteResponse(1, 0, preVote.correlationId(), Errors.NONE, -1, 2, true, true));
        VoteRequest vote = leader.ready().messages().stream().filter(VoteRequest.class::isInstance)
                .map(VoteRequest.class::cast).filter(request -> request.destination() == 1).findFirst().orElseThrow();
        leader.handle(new VoteResponse(1, 0, vote.correlationId(), Errors.NONE, -1, 3, true, false));
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.epoch()).isEqualTo(3);
        Ready elected = leader.ready();
        assertThat(elected.entriesToAppend()).singleElement()
                .satisfies(entry -> assertThat(entry.type()).isEqualTo(EntryType.LEADER_CHANGE));

        // The leader's log: epoch 1 at offsets 0-1, epoch 2 at 2, its own epoch 3 from 3. A follower whose log
        // has epoch 2 up to offset 3 diverges after offset 3 (where epoch 2 ends on the leader).
        leader.handle(new FetchRequest(2, 0, 11, 2, 3, 4, 2, 0, 1000, 0));
        FetchResponse diverging = only(leader.ready(), FetchResponse.class);
        assertThat(diverging.divergingEpoch()).isEqualTo(new EpochEndOffset(2, 3));
        assertThat(diverging.records()).isEmpty();
        // One whose entry at offset 2 has epoch 1 diverges after offset 2 (where epoch 1 ends).
        leader.handle(new FetchRequest(2, 0, 12, 2, 3, 3, 1, 0, 1000, 0));
        assertThat(only(leader.ready(), FetchResponse.class).divergingEpoch()).isEqualTo(new EpochEndOffset(1, 2));
        // One that matches gets the entries from its offset.
        leader.handle(new FetchRequest(2, 0, 13, 2, 3, 3, 2, 0, 1000, 0));
        FetchResponse matching = only(leader.ready(), FetchResponse.class);
        assertThat(matching.divergingEpoch()).isNull();
        assertThat(matching.records()).extracting(LogEntry::offset).containsExactly(3L);

        // A fetch from an older epoch is fenced; a newer one is unknown.
        leader.handle(new FetchRequest(2, 0, 14, 2, 2, 3, 2, 0, 1000, 0));
        assertThat(only(leader.ready(), FetchResponse.class).error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        leader.handle(new FetchRequest(2, 0, 15, 2, 4, 3, 2, 0, 1000, 0));
        assertThat(only(leader.ready(), FetchResponse.class).error()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
    }

    @Test
    void proposalsAreBoundedAndOnlyTheLeaderTakesThem() {
        RaftNode alone = new RaftNode(RaftConfig.withDefaults(0, Set.of(0)), DurableState.INITIAL, List.of(),
                new Random(1), 0);
        assertThat(alone.role()).as("a quorum of one elects itself at once").isEqualTo(Role.LEADER);
        assertThat(alone.propose(List.of(new byte[RaftConfig.DEFAULT_MAX_ENTRY_BYTES + 1])).error())
                .isEqualTo(Errors.MESSAGE_TOO_LARGE);
        assertThat(alone.propose(List.of()).error()).isEqualTo(Errors.INVALID_REQUEST);
        ProposeResult accepted = alone.propose(List.of(new byte[] {1}, new byte[] {2}));
        assertThat(accepted.error()).isEqualTo(Errors.NONE);
        assertThat(accepted.firstOffset()).isEqualTo(1);
        assertThat(accepted.lastOffset()).isEqualTo(2);
        // Committed once flushed: the leader's own position counts flushed entries only.
        assertThat(alone.highWatermark()).isZero();
        alone.onLogFlushed(3);
        assertThat(alone.highWatermark()).isEqualTo(3);

        RaftNode follower = node(1, DurableState.INITIAL, List.of());
        assertThat(follower.propose(List.of(new byte[] {1})).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void aStorageErrorStopsTheNodeFromAcknowledgingAnything() {
        RaftNode follower = node(0, new DurableState(3, DurableState.NO_VOTE), logOf(1, 3));
        follower.handle(new BeginQuorumEpochRequest(2, 0, 1, 2, 3));
        assertThat(follower.ready().messages()).hasAtLeastOneElementOfType(FetchRequest.class);
        // The driver failed to write: the node stops, and what it had not handed over yet is dropped.
        follower.handle(new VoteRequest(1, 0, 2, 4, 1, 3, 9, false));
        follower.onStorageError("fsync failed");
        assertThat(follower.isFailed()).isTrue();
        assertThat(follower.hasReady()).isFalse();
        // No vote, no fetch (whose offset would acknowledge entries), no election, no proposal.
        follower.handle(new VoteRequest(1, 0, 3, 5, 1, 3, 9, false));
        follower.handle(new FetchResponse(2, 0, 4, Errors.NONE, 2, 0, null, new LeaderAndEpoch(2, 3),
                List.of(TestCluster.entry(2, 3, "x"))));
        follower.tick(60_000);
        follower.onLogFlushed(3);
        assertThat(follower.hasReady()).isFalse();
        assertThat(follower.ready().messages()).isEmpty();
        assertThat(follower.logEndOffset()).isEqualTo(2);
        assertThat(follower.propose(List.of(new byte[] {1})).error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(follower.resign()).isFalse();
    }

    @Test
    void aLeaderAnswersAFetchBelowItsLogStartWithItsSnapshotAndServesItInChunks() {
        RaftNode alone = new RaftNode(RaftConfig.withDefaults(0, Set.of(0)), DurableState.INITIAL, List.of(),
                new Random(1), 0);
        alone.propose(List.of(new byte[] {1}, new byte[] {2}));
        alone.onLogFlushed(3);
        alone.ready();
        // Snapshots must be at or below the high watermark, with the epoch of the entry before their offset.
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> alone.onSnapshotCreated(new OffsetAndEpoch(4, 1)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> alone.onSnapshotCreated(new OffsetAndEpoch(2, 7)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(alone.onSnapshotCreated(new OffsetAndEpoch(2, 1))).isTrue();
        assertThat(alone.ready().logStartOffset()).isEqualTo(2);
        assertThat(alone.onSnapshotCreated(new OffsetAndEpoch(1, 1))).as("older than the log start").isFalse();
    }

    private static <T extends RaftMessage> List<T> all(Ready ready, Class<T> type) {
        return ready.messages().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Answers the leader's one ApiVersions request (to the replica it is asked to add) with {@code range}. */
    private static void answerApiVersions(RaftNode leader, KraftVersionRange range) {
        ApiVersionsRequest asked = only(leader.ready(), ApiVersionsRequest.class);
        leader.handle(new ApiVersionsResponse(asked.destination(), asked.source(), asked.correlationId(), Errors.NONE,
                range));
    }

    @Test
    void aVoterIsAddedOnlyIfItsSoftwareSupportsTheFinalizedKraftVersion() {
        RaftNode leader = new RaftNode(RaftConfig.withDefaults(0, Set.of(0)), DurableState.INITIAL, List.of(),
                new Random(1), 0);
        UUID directory = new UUID(3, 4);
        leader.ready();
        leader.onLogFlushed(1);
        leader.ready();
        assertThat(leader.kraftVersion()).isZero();
        leader.handle(new FetchRequest(1, 0, 5, 1, 1, 1, 1, 1, 1000, 0, directory));
        leader.ready();

        // Kafka's AddVoterHandler asks the new voter for its ApiVersions at the endpoints the request names.
        VoterEndpoint endpoint = new VoterEndpoint("CONTROLLER", "host1", 9093);
        leader.handle(new AddRaftVoterRequest(99, 0, 1, 1000, 1, directory, true, List.of(endpoint)));
        ApiVersionsRequest asked = only(leader.ready(), ApiVersionsRequest.class);
        assertThat(asked.destination()).isEqualTo(1);
        assertThat(asked.listeners()).containsExactly(endpoint);
        // Another change waits until this one is decided.
        leader.handle(new RemoveRaftVoterRequest(99, 0, 2, 0, ReplicaKey.NO_DIRECTORY));
        assertThat(only(leader.ready(), RemoveRaftVoterResponse.class).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
        // Its software supports only kraft.version 1, not the finalized 0: INVALID_REQUEST, with Kafka's message.
        leader.handle(new ApiVersionsResponse(1, 0, asked.correlationId(), Errors.NONE,
                new KraftVersionRange((short) 1, (short) 1)));
        AddRaftVoterResponse refused = only(leader.ready(), AddRaftVoterResponse.class);
        assertThat(refused.error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(refused.errorMessage()).contains("kraft.version range (min: 1, max: 1)")
                .contains("doesn't support the finalized version 0");
        // One that lists no kraft.version at all is refused too.
        leader.handle(new AddRaftVoterRequest(99, 0, 3, 1000, 1, directory, true, List.of(endpoint)));
        answerApiVersions(leader, null);
        assertThat(only(leader.ready(), AddRaftVoterResponse.class).error()).isEqualTo(Errors.INVALID_REQUEST);
        // An ApiVersions error, or no answer within the request timeout: REQUEST_TIMED_OUT, as in Kafka.
        leader.handle(new AddRaftVoterRequest(99, 0, 4, 1000, 1, directory, true, List.of(endpoint)));
        asked = only(leader.ready(), ApiVersionsRequest.class);
        leader.handle(new ApiVersionsResponse(1, 0, asked.correlationId(), Errors.UNSUPPORTED_VERSION, null));
        assertThat(only(leader.ready(), AddRaftVoterResponse.class).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
        leader.handle(new AddRaftVoterRequest(99, 0, 5, 1000, 1, directory, true, List.of(endpoint)));
        only(leader.ready(), ApiVersionsRequest.class);
        leader.tick(RaftConfig.DEFAULT_REQUEST_TIMEOUT_MS + 1);
        assertThat(all(leader.ready(), AddRaftVoterResponse.class)).singleElement()
                .satisfies(answer -> assertThat(answer.error()).isEqualTo(Errors.REQUEST_TIMED_OUT));
        assertThat(leader.voters().ids()).containsExactly(0);
    }

    @Test
    void voterChangesAreRefusedWithKafkasErrorsUntilTheyCanBeMadeSafely() {
        RaftNode leader = new RaftNode(RaftConfig.withDefaults(0, Set.of(0)), DurableState.INITIAL, List.of(),
                new Random(1), 0);
        UUID directory = new UUID(3, 4);
        leader.ready();
        // Its leader-change entry is not committed yet (not flushed): no change before that.
        leader.handle(new AddRaftVoterRequest(99, 0, 1, 1000, 1, directory, true));
        assertThat(only(leader.ready(), AddRaftVoterResponse.class).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
        leader.onLogFlushed(1);
        leader.ready();
        leader.handle(new RemoveRaftVoterRequest(99, 0, 2, 5, ReplicaKey.NO_DIRECTORY));
        assertThat(only(leader.ready(), RemoveRaftVoterResponse.class).error()).isEqualTo(Errors.VOTER_NOT_FOUND);
        leader.handle(new RemoveRaftVoterRequest(99, 0, 3, 0, ReplicaKey.NO_DIRECTORY));
        assertThat(only(leader.ready(), RemoveRaftVoterResponse.class).error()).isEqualTo(Errors.INVALID_REQUEST);
        // Replica 1 has never fetched: it is not a caught-up observer (asked after its ApiVersions, as Kafka does).
        leader.handle(new AddRaftVoterRequest(99, 0, 4, 1000, 1, directory, true));
        answerApiVersions(leader, KraftVersionRange.SUPPORTED);
        assertThat(only(leader.ready(), AddRaftVoterResponse.class).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);

        // It fetches from the leader's end with its directory id: caught up, but only under that directory id.
        leader.handle(new FetchRequest(1, 0, 5, 1, 1, 1, 1, 1, 1000, 0, directory));
        leader.ready();
        leader.handle(new AddRaftVoterRequest(99, 0, 6, 1000, 1, new UUID(3, 5), true));
        answerApiVersions(leader, KraftVersionRange.SUPPORTED);
        assertThat(only(leader.ready(), AddRaftVoterResponse.class).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
        leader.handle(new AddRaftVoterRequest(99, 0, 7, 1000, 1, directory, true));
        answerApiVersions(leader, new KraftVersionRange((short) 0, (short) 1));
        Ready appended = leader.ready();
        assertThat(all(appended, AddRaftVoterResponse.class)).as("answered once committed").isEmpty();
        assertThat(appended.entriesToAppend()).singleElement()
                .satisfies(entry -> assertThat(entry.type()).isEqualTo(EntryType.VOTERS));
        assertThat(leader.voters().ids()).containsExactly(0, 1);
        assertThat(leader.voters().supportedKraftVersions(1)).isEqualTo(new KraftVersionRange((short) 0, (short) 1));
        // Committed by both voters of the new set: the leader flushed it, and replica 1 fetched past it.
        leader.onLogFlushed(2);
        assertThat(leader.highWatermark()).isEqualTo(1);
        leader.handle(new FetchRequest(1, 0, 8, 1, 1, 2, 1, 1, 1000, 0, directory));
        assertThat(leader.highWatermark()).isEqualTo(2);
        AddRaftVoterResponse done = only(leader.ready(), AddRaftVoterResponse.class);
        assertThat(done.error()).isEqualTo(Errors.NONE);
        assertThat(done.correlationId()).isEqualTo(7);
        assertThat(done.destination()).isEqualTo(99);
    }

    @Test
    void aLeaderServesItsSnapshotInChunksAndRefusesWhatItDoesNotHave() {
        byte[] snapshotBytes = new byte[100];
        OffsetAndEpoch snapshotId = new OffsetAndEpoch(3, 1);
        SnapshotReader reader = new SnapshotReader() {
            @Override
            public long sizeInBytes(OffsetAndEpoch id) {
                return id.equals(snapshotId) ? snapshotBytes.length : -1;
            }

            @Override
            public byte[] read(OffsetAndEpoch id, long position, int maxBytes) {
                return java.util.Arrays.copyOfRange(snapshotBytes, (int) position, (int) position + maxBytes);
            }
        };
        byte[] voters = VoterSet.ofIds(Set.of(0, 1, 2)).encode();
        System.arraycopy(voters, 0, snapshotBytes, 0, voters.length);
        RaftNode leader = new RaftNode(RaftConfig.withDefaults(0, Set.of(0, 1, 2)).withFetchMaxBytes(40),
                ReplicaKey.NO_DIRECTORY, new DurableState(1, DurableState.NO_VOTE), snapshotId, List.of(), reader,
                new Random(3), 0);
        assertThat(leader.logStartOffset()).isEqualTo(3);
        assertThat(leader.highWatermark()).isEqualTo(3);
        assertThat(leader.voters().ids()).containsExactly(0, 1, 2);
        leader.tick(5_000);
        for (VoteRequest request : all(leader.ready(), VoteRequest.class)) {
            leader.handle(new VoteResponse(request.destination(), 0, request.correlationId(), Errors.NONE, -1, 1,
                    true, true));
        }
        for (VoteRequest request : all(leader.ready(), VoteRequest.class)) {
            leader.handle(new VoteResponse(request.destination(), 0, request.correlationId(), Errors.NONE, -1, 2,
                    true, false));
        }
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        leader.ready();

        // A fetch below the log start is answered with the snapshot's id.
        leader.handle(new FetchRequest(1, 0, 10, 1, 2, 0, 0, 0, 1000, 0));
        assertThat(only(leader.ready(), FetchResponse.class).snapshotId()).isEqualTo(snapshotId);
        leader.handle(new FetchSnapshotRequest(1, 0, 11, 1, 2, snapshotId, 0, 1000));
        FetchSnapshotResponse first = only(leader.ready(), FetchSnapshotResponse.class);
        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(first.size()).isEqualTo(100);
        assertThat(first.unalignedRecords()).hasSize(40);
        leader.handle(new FetchSnapshotRequest(1, 0, 12, 1, 2, snapshotId, 80, 1000));
        assertThat(only(leader.ready(), FetchSnapshotResponse.class).unalignedRecords()).hasSize(20);
        leader.handle(new FetchSnapshotRequest(1, 0, 13, 1, 2, snapshotId, 100, 1000));
        assertThat(only(leader.ready(), FetchSnapshotResponse.class).error())
                .isEqualTo(Errors.POSITION_OUT_OF_RANGE);
        leader.handle(new FetchSnapshotRequest(1, 0, 14, 1, 2, new OffsetAndEpoch(2, 1), 0, 1000));
        assertThat(only(leader.ready(), FetchSnapshotResponse.class).error()).isEqualTo(Errors.SNAPSHOT_NOT_FOUND);
        leader.handle(new FetchSnapshotRequest(1, 0, 15, 1, 1, snapshotId, 0, 1000));
        assertThat(only(leader.ready(), FetchSnapshotResponse.class).error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void aVoterThatNeverSawALeaderStandsWithinAFifthOfTheElectionTimeoutForEverySeed() {
        int timeoutMs = RaftConfig.DEFAULT_ELECTION_TIMEOUT_MS;
        for (int seed = 0; seed < 50; seed++) {
            RaftNode fresh = new RaftNode(RaftConfig.withDefaults(0, VOTERS), new DurableState(0,
                    DurableState.NO_VOTE), List.of(), new Random(seed), 0);
            fresh.tick(timeoutMs / 10 - 1);
            assertThat(fresh.role()).as("seed %d", seed).isEqualTo(Role.UNATTACHED);
            fresh.tick(timeoutMs / 5);
            assertThat(fresh.role()).as("seed %d", seed).isEqualTo(Role.PROSPECTIVE);
        }
    }

    @Test
    void aVoterThatSawAnEpochOrHoldsEntriesWaitsAFullElectionTimeout() {
        int timeoutMs = RaftConfig.DEFAULT_ELECTION_TIMEOUT_MS;
        for (int seed = 0; seed < 50; seed++) {
            for (RaftNode restarted : List.of(
                    new RaftNode(RaftConfig.withDefaults(0, VOTERS), new DurableState(1, DurableState.NO_VOTE),
                            List.of(), new Random(seed), 0),
                    new RaftNode(RaftConfig.withDefaults(0, VOTERS), new DurableState(0, 2), List.of(),
                            new Random(seed), 0),
                    new RaftNode(RaftConfig.withDefaults(0, VOTERS), new DurableState(1, DurableState.NO_VOTE),
                            logOf(1), new Random(seed), 0))) {
                restarted.tick(timeoutMs - 1);
                assertThat(restarted.role()).as("seed %d", seed).isEqualTo(Role.UNATTACHED);
                restarted.tick(2L * timeoutMs);
                assertThat(restarted.role()).as("seed %d", seed).isEqualTo(Role.PROSPECTIVE);
            }
        }
    }
}
