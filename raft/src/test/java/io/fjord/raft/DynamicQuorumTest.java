package io.fjord.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A replica of a dynamic quorum (KIP-853) in the core: without static voters it asks the bootstrap servers for the
 * leader and follows the one they name; a leader whose voters come from a bootstrap snapshot writes them into its
 * log; an added voter's endpoints go into the voter set.
 */
class DynamicQuorumTest {
    private static final UUID DIRECTORY_1 = new UUID(1, 1);
    private static final UUID DIRECTORY_2 = new UUID(2, 2);

    private static List<RaftMessage> messages(RaftNode node) {
        List<RaftMessage> all = new ArrayList<>();
        while (node.hasReady()) {
            all.addAll(node.ready().messages());
        }
        return all;
    }

    @Test
    void anObserverWithoutVotersAsksTheBootstrapServersInTurnAndFollowsTheLeaderTheyName() {
        RaftConfig config = RaftConfig.withDefaults(2, Set.of(2)).withBootstrapServers(2);
        RaftNode observer = new RaftNode(config, DIRECTORY_2, DurableState.INITIAL, null, List.of(),
                SnapshotReader.NONE, new Random(2), 0);
        assertThat(observer.voters().isEmpty()).isTrue();
        assertThat(observer.isVoter()).isFalse();
        FetchRequest first = (FetchRequest) messages(observer).stream().filter(FetchRequest.class::isInstance)
                .findFirst().orElseThrow();
        assertThat(first.destination()).isEqualTo(RaftConfig.bootstrapId(0));
        assertThat(first.replicaDirectoryId()).isEqualTo(DIRECTORY_2);

        // The first bootstrap server cannot be reached: the next one is asked.
        observer.onPeerUnreachable(RaftConfig.bootstrapId(0));
        observer.tick(100);
        FetchRequest second = (FetchRequest) messages(observer).stream().filter(FetchRequest.class::isInstance)
                .findFirst().orElseThrow();
        assertThat(second.destination()).isEqualTo(RaftConfig.bootstrapId(1));

        // It names leader 1 of epoch 3 (its fetch was of epoch 0): the observer follows it.
        observer.handle(new FetchResponse(RaftConfig.bootstrapId(1), 2, second.correlationId(),
                io.fjord.protocol.Errors.FENCED_LEADER_EPOCH, -1, -1, null, new LeaderAndEpoch(1, 3), List.of()));
        assertThat(observer.role()).isEqualTo(Role.FOLLOWER);
        assertThat(observer.leaderId()).isEqualTo(1);
        FetchRequest toLeader = (FetchRequest) messages(observer).stream().filter(FetchRequest.class::isInstance)
                .findFirst().orElseThrow();
        assertThat(toLeader.destination()).isEqualTo(1);
        assertThat(toLeader.currentLeaderEpoch()).isEqualTo(3);
    }

    @Test
    void aLeaderWritesTheBootstrapSnapshotsVotersIntoItsLogWithTheirEndpoints() {
        VoterSet bootstrap = VoterSet.ofVoters(List.of(new VoterSet.Voter(new ReplicaKey(1, DIRECTORY_1),
                List.of(new VoterEndpoint("CONTROLLER", "localhost", 9093)))));
        byte[] snapshot = bootstrap.encode();
        SnapshotReader reader = new SnapshotReader() {
            @Override
            public long sizeInBytes(OffsetAndEpoch snapshotId) {
                return snapshot.length;
            }

            @Override
            public byte[] read(OffsetAndEpoch snapshotId, long position, int maxBytes) {
                return java.util.Arrays.copyOfRange(snapshot, (int) position,
                        (int) Math.min(snapshot.length, position + maxBytes));
            }
        };
        RaftConfig config = RaftConfig.withDefaults(1, Set.of(1)).withBootstrapServers(1);
        RaftNode leader = new RaftNode(config, DIRECTORY_1, DurableState.INITIAL, new OffsetAndEpoch(0, 0),
                List.of(), reader, new Random(1), 0);
        messages(leader);
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.entry(0).type()).isEqualTo(EntryType.LEADER_CHANGE);
        assertThat(leader.entry(1).type()).isEqualTo(EntryType.VOTERS);
        assertThat(VoterSet.decode(leader.entry(1).payload())).contains(bootstrap);
        assertThat(leader.voters().endpoints(1)).containsExactly(new VoterEndpoint("CONTROLLER", "localhost", 9093));
    }

    @Test
    void anAddedVoterJoinsTheVoterSetWithTheEndpointsItsRequestNamed() {
        RaftNode leader = new RaftNode(RaftConfig.withDefaults(1, Set.of(1)), DIRECTORY_1, DurableState.INITIAL, null,
                List.of(), SnapshotReader.NONE, new Random(1), 0);
        messages(leader);
        leader.onLogFlushed(leader.logEndOffset());
        assertThat(leader.highWatermark()).isEqualTo(leader.logEndOffset());
        // Observer 2 is caught up: it fetches from the leader's log end.
        leader.handle(new FetchRequest(2, 1, 5, 2, leader.epoch(), leader.logEndOffset(), leader.epoch(),
                leader.highWatermark(), 1000, 0, DIRECTORY_2));
        messages(leader);
        VoterEndpoint endpoint = new VoterEndpoint("CONTROLLER", "host2", 9094);
        leader.handle(new AddRaftVoterRequest(-1000, 1, 9, 5000, 2, DIRECTORY_2, true, List.of(endpoint)));
        // The leader asks it which kraft.version levels it supports; what it answers is kept with it.
        ApiVersionsRequest asked = (ApiVersionsRequest) messages(leader).stream()
                .filter(ApiVersionsRequest.class::isInstance).findFirst().orElseThrow();
        KraftVersionRange range = new KraftVersionRange((short) 0, (short) 1);
        leader.handle(new ApiVersionsResponse(2, 1, asked.correlationId(), io.fjord.protocol.Errors.NONE, range));
        assertThat(leader.voters().ids()).containsExactly(1, 2);
        assertThat(leader.voters().endpoints(2)).containsExactly(endpoint);
        LogEntry voters = leader.entry(leader.logEndOffset() - 1);
        assertThat(voters.type()).isEqualTo(EntryType.VOTERS);
        VoterSet decoded = VoterSet.decode(voters.payload()).orElseThrow();
        assertThat(decoded.endpoints(2)).containsExactly(endpoint);
        assertThat(decoded.supportedKraftVersions(2)).isEqualTo(range);
        assertThat(decoded).isEqualTo(leader.voters());
    }

    @Test
    void voterSetsWithEndpointsRoundTripAndThoseWithoutKeepTheirFirstEncoding() {
        VoterSet plain = VoterSet.of(List.of(new ReplicaKey(1, DIRECTORY_1), ReplicaKey.of(2)));
        assertThat(plain.encode()).hasSize(VoterSet.encodedSizeBytes(2)); // version 0, as logs before KIP-853 support
        VoterSet withEndpoints = plain.adding(new ReplicaKey(3, new UUID(3, 3)),
                List.of(new VoterEndpoint("CONTROLLER", "::1", 9093), new VoterEndpoint("OTHER", "h", 1)));
        byte[] encoded = withEndpoints.encode();
        assertThat(VoterSet.decode(encoded)).contains(withEndpoints);
        assertThat(VoterSet.encodedSizeBytes(encoded)).isEqualTo(encoded.length);
        byte[] followed = java.util.Arrays.copyOf(encoded, encoded.length + 7); // a snapshot's state follows
        assertThat(VoterSet.encodedSizeBytes(followed)).isEqualTo(encoded.length);
        assertThat(VoterSet.decode(followed)).contains(withEndpoints);
        assertThat(VoterSet.decode(java.util.Arrays.copyOf(encoded, encoded.length - 1))).isEmpty();
        assertThat(VoterSet.decode(VoterSet.UNKNOWN.encode())).contains(VoterSet.UNKNOWN);
        assertThat(withEndpoints.removing(3)).isEqualTo(plain);
    }
}
