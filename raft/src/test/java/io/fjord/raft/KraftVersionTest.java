package io.fjord.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * KIP-853's {@code kraft.version} and UpdateRaftVoter in the core, as Kafka 4.4 has them: a static quorum is at
 * level 0 and its voters tell each new leader where they listen (kept in memory); the upgrade to 1 needs every
 * voter's word and writes the voter set with directory ids and endpoints; a downgrade is refused; at level 1 an
 * UpdateRaftVoter (a voter restarted on another address) changes the voter set in the log, with Kafka's refusals.
 */
class KraftVersionTest {
    private static final int LEADER = 0;
    private static int nextCorrelationId = 4242;

    /** A 3-voter static quorum with known endpoints, node 0 leading and every voter's update received. */
    private static TestCluster staticQuorumWithReports() {
        TestCluster cluster = TestCluster.withEndpoints(3);
        cluster.elect(LEADER);
        cluster.advanceAll(500);
        return cluster;
    }

    private static TestCluster upgradedQuorum() {
        TestCluster cluster = staticQuorumWithReports();
        KraftVersionUpgrade upgrade = cluster.upgradeKraftVersion(LEADER, 1, false);
        assertThat(upgrade.error()).isEqualTo(Errors.NONE);
        cluster.advanceAll(500);
        assertThat(cluster.node(LEADER).highWatermark()).isGreaterThan(upgrade.offset());
        return cluster;
    }

    /** A test's UpdateRaftVoter for {@code voterId}, sent from node 1 (which ignores the answer it did not ask). */
    private static UpdateRaftVoterRequest update(TestCluster cluster, int voterId, UUID directory, int epoch,
            List<VoterEndpoint> listeners, int maxSupported) {
        return new UpdateRaftVoterRequest(1, LEADER, nextCorrelationId++, epoch, voterId, directory,
                listeners, (short) 0, (short) maxSupported);
    }

    /** The answer the leader gave to the test's UpdateRaftVoter. */
    private static Errors answer(TestCluster cluster, UpdateRaftVoterRequest request) {
        cluster.handle(LEADER, request);
        cluster.deliverAll();
        return cluster.delivered().stream().filter(message -> message instanceof UpdateRaftVoterResponse response
                && response.correlationId() == request.correlationId())
                .map(message -> ((UpdateRaftVoterResponse) message).error()).findFirst().orElseThrow();
    }

    @Test
    void aStaticQuorumIsAtLevelZeroAndItsVotersTellTheLeaderWhereTheyListenWithoutChangingTheLog() {
        TestCluster cluster = staticQuorumWithReports();
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.node(id).kraftVersion()).as("node %d", id).isEqualTo((short) 0);
        }
        for (int voter : List.of(1, 2)) {
            assertThat(cluster.wasDelivered(message -> message instanceof UpdateRaftVoterRequest update
                    && update.voterId() == voter && update.destination() == LEADER
                    && update.voterDirectoryId().equals(TestCluster.directoryOf(voter))
                    && update.listeners().equals(List.of(TestCluster.endpointOf(voter, 9093)))
                    && update.maxSupportedKraftVersion() == 1)).as("voter %d's update", voter).isTrue();
            assertThat(cluster.wasDelivered(message -> message instanceof UpdateRaftVoterResponse response
                    && response.destination() == voter && response.error() == Errors.NONE)).isTrue();
        }
        assertThat(cluster.log(LEADER)).noneMatch(entry -> entry.type() == EntryType.VOTERS);
        assertThat(cluster.node(LEADER).voters().hasDirectoryIds()).isFalse();
    }

    @Test
    void theUpgradeWritesEveryVotersDirectoryAndEndpointAndEveryReplicaIsThenAtLevelOne() {
        TestCluster cluster = staticQuorumWithReports();
        long end = cluster.node(LEADER).logEndOffset();
        KraftVersionUpgrade validated = cluster.upgradeKraftVersion(LEADER, 1, true);
        assertThat(validated).isEqualTo(new KraftVersionUpgrade(Errors.NONE, null, -1));
        assertThat(cluster.node(LEADER).logEndOffset()).as("validate-only appends nothing").isEqualTo(end);

        KraftVersionUpgrade upgrade = cluster.upgradeKraftVersion(LEADER, 1, false);
        assertThat(upgrade.error()).isEqualTo(Errors.NONE);
        assertThat(upgrade.offset()).isEqualTo(end);
        cluster.advanceAll(500);
        for (int id = 0; id < 3; id++) {
            RaftNode node = cluster.node(id);
            assertThat(node.kraftVersion()).as("node %d", id).isEqualTo((short) 1);
            for (int voter = 0; voter < 3; voter++) {
                assertThat(node.voters().key(voter)).contains(new ReplicaKey(voter, TestCluster.directoryOf(voter)));
                assertThat(node.voters().endpoints(voter)).containsExactly(TestCluster.endpointOf(voter, 9093));
            }
        }
        assertThat(cluster.upgradeKraftVersion(LEADER, 1, false))
                .as("the level in force is a no-op").isEqualTo(new KraftVersionUpgrade(Errors.NONE, null, -1));
    }

    @Test
    void theUpgradeIsRefusedUntilEveryVoterSaidItSupportsLevelOne() {
        TestCluster cluster = TestCluster.withEndpoints(3);
        cluster.partition(2);
        cluster.elect(LEADER);
        cluster.advanceAll(200);
        KraftVersionUpgrade refused = cluster.upgradeKraftVersion(LEADER, 1, true);
        assertThat(refused.error()).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(refused.message()).isEqualTo("Invalid upgrade of kraft.version to 1 because not all of the"
                + " voters support it");

        // Voter 2 says it supports level 0 only: still refused.
        int epoch = cluster.node(LEADER).epoch();
        assertThat(answer(cluster, update(cluster, 2, TestCluster.directoryOf(2), epoch,
                List.of(TestCluster.endpointOf(2, 9093)), 0))).isEqualTo(Errors.NONE);
        assertThat(cluster.upgradeKraftVersion(LEADER, 1, false).error()).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(cluster.node(LEADER).kraftVersion()).isEqualTo((short) 0);

        // Once voter 2 follows the leader it reports itself, and the upgrade goes through.
        cluster.heal();
        cluster.advanceAll(3000);
        assertThat(cluster.upgradeKraftVersion(LEADER, 1, false).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void aDowngradeAndALevelAboveOneAreRefusedAndAFollowerCannotUpgrade() {
        TestCluster cluster = upgradedQuorum();
        KraftVersionUpgrade downgrade = cluster.upgradeKraftVersion(LEADER, 0, false);
        assertThat(downgrade.error()).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(downgrade.message()).isEqualTo("Invalid upgrade of kraft.version from version 1 to 0 because the"
                + " new version is a downgrade");
        assertThat(cluster.upgradeKraftVersion(1, 1, false).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);

        TestCluster atZero = staticQuorumWithReports();
        assertThat(atZero.upgradeKraftVersion(LEADER, 2, false).error()).isEqualTo(Errors.INVALID_UPDATE_VERSION);
    }

    @Test
    void atLevelOneUpdateRaftVoterIsCheckedInKafkasOrderAndChangesTheVoterSetInTheLog() {
        TestCluster cluster = upgradedQuorum();
        int epoch = cluster.node(LEADER).epoch();
        UUID directory = TestCluster.directoryOf(2);
        List<VoterEndpoint> moved = List.of(TestCluster.endpointOf(2, 19093));
        assertThat(answer(cluster, update(cluster, 2, directory, epoch - 1, moved, 1)))
                .isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(answer(cluster, update(cluster, 2, directory, epoch + 1, moved, 1)))
                .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
        assertThat(answer(cluster, update(cluster, 2, directory, epoch, moved, 0)))
                .as("a voter that no longer supports the level in force").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(answer(cluster, update(cluster, 2, directory, epoch, List.of(), 1)))
                .as("no listener").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(answer(cluster, update(cluster, 7, TestCluster.directoryOf(7), epoch, moved, 1)))
                .isEqualTo(Errors.VOTER_NOT_FOUND);
        assertThat(answer(cluster, update(cluster, 2, new UUID(9, 9), epoch, moved, 1)))
                .as("another directory: not this voter").isEqualTo(Errors.VOTER_NOT_FOUND);

        long end = cluster.node(LEADER).logEndOffset();
        cluster.handle(LEADER, update(cluster, 2, directory, epoch, moved, 1));
        assertThat(cluster.node(LEADER).voters().endpoints(2)).containsExactly(moved.get(0));
        assertThat(cluster.log(LEADER).get((int) end).type()).isEqualTo(EntryType.VOTERS);
        // The change is not committed yet: another one waits.
        assertThat(answer(cluster, update(cluster, 1, TestCluster.directoryOf(1), epoch,
                List.of(TestCluster.endpointOf(1, 19093)), 1))).isEqualTo(Errors.REQUEST_TIMED_OUT);
        cluster.advanceAll(500);
        assertThat(cluster.node(1).voters().endpoints(2)).containsExactly(moved.get(0));
    }

    @Test
    void aFollowerRestartedOnAnotherPortHasItsEndpointUpdatedByTheLeader() {
        TestCluster cluster = upgradedQuorum();
        cluster.crash(1);
        cluster.moveEndpoint(1, 29093);
        cluster.restart(1);
        cluster.advanceAll(3000);
        assertThat(cluster.node(LEADER).role()).isEqualTo(Role.LEADER);
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.node(id).voters().endpoints(1)).as("node %d", id)
                    .containsExactly(TestCluster.endpointOf(1, 29093));
        }
    }

    @Test
    void aLeaderRestartedOnAnotherPortWritesItsOwnEndpointWithTheFirstEntriesOfItsEpoch() {
        TestCluster cluster = TestCluster.withEndpoints(1);
        assertThat(cluster.node(LEADER).role()).isEqualTo(Role.LEADER);
        cluster.advanceAll(100);
        assertThat(cluster.upgradeKraftVersion(LEADER, 1, false).error()).isEqualTo(Errors.NONE);
        cluster.advanceAll(100);
        assertThat(cluster.node(LEADER).kraftVersion()).isEqualTo((short) 1);
        cluster.crash(LEADER);
        cluster.moveEndpoint(LEADER, 39093);
        cluster.restart(LEADER);
        assertThat(cluster.node(LEADER).role()).isEqualTo(Role.LEADER);
        List<LogEntry> log = cluster.log(LEADER);
        int start = log.size() - 2;
        assertThat(log.get(start).type()).isEqualTo(EntryType.LEADER_CHANGE);
        assertThat(log.get(start + 1).type()).isEqualTo(EntryType.VOTERS);
        assertThat(VoterSet.decode(log.get(start + 1).payload()).orElseThrow().endpoints(LEADER))
                .containsExactly(TestCluster.endpointOf(LEADER, 39093));
    }
}
