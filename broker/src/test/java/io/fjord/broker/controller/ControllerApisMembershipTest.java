package io.fjord.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ClusterMaintenance;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.FeatureControl;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.quorum.MetadataQuorum;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's membership APIs (BrokerRegistration, BrokerHeartbeat, UnregisterBroker, ElectLeaders) and its
 * timers, over a real Raft quorum of one in a temporary directory, with a clock the test moves.
 */
class ControllerApisMembershipTest {
    private static final long BOUND_MS = 60_000;
    private static final long SESSION_TIMEOUT_MS = 9000;
    private static final String CLUSTER_ID = "cluster-a";
    private static final UUID TOPIC_ID = new UUID(7, 7);

    @TempDir
    Path directory;
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
    private MetadataQuorum quorum;
    private ControllerApis apis;

    @AfterEach
    void close() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
    }

    /** Starts (or restarts) the node's quorum and a controller with fresh soft state, as a node start does. */
    private void start() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
        quorum = MetadataQuorum.standalone(1, directory, BOUND_MS);
        quorum.start();
        quorum.awaitCaughtUp(BOUND_MS);
        ReplicationControl replication = new ReplicationControl(ReplicationControl.Settings.DEFAULTS);
        ClusterControl cluster = new ClusterControl(new ClusterControl.Settings(CLUSTER_ID),
                new BrokerHeartbeatTracker(SESSION_TIMEOUT_MS), replication);
        quorum.controller().setActiveTasks(new ClusterMaintenance(new ClusterMaintenance.Settings(SESSION_TIMEOUT_MS,
                false, 300_000), cluster, replication, clock));
        apis = new ControllerApis(quorum.controller(), null, null, cluster, replication, clock);
    }

    private MetadataImage image() {
        return quorum.loader().image();
    }

    private ApiMessage send(ApiKey api, ApiMessage request) throws Exception {
        return apis.send(api, request).get(BOUND_MS, TimeUnit.MILLISECONDS);
    }

    private BrokerRegistrationResponseData register(int brokerId, UUID incarnation) throws Exception {
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setClusterId(CLUSTER_ID).setIncarnationId(incarnation);
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("localhost").setPort(9090 + brokerId));
        return (BrokerRegistrationResponseData) send(ApiKey.BROKER_REGISTRATION, withFjordFeatures(request));
    }

    /**
     * As a Fjord broker registers: a new cluster finalizes the ELR feature at 1 and transaction.version at 2, which a
     * broker must support to register.
     */
    private static BrokerRegistrationRequestData withFjordFeatures(BrokerRegistrationRequestData request) {
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE).setMinSupportedVersion((short) 0)
                .setMaxSupportedVersion((short) 1));
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(FeatureControl.TRANSACTION_VERSION).setMinSupportedVersion((short) 0)
                .setMaxSupportedVersion(FeatureControl.TRANSACTION_VERSION_MAX));
        return request;
    }

    private BrokerHeartbeatResponseData heartbeat(int brokerId, long epoch, long metadataOffset, boolean wantShutDown)
            throws Exception {
        return (BrokerHeartbeatResponseData) send(ApiKey.BROKER_HEARTBEAT, new BrokerHeartbeatRequestData()
                .setBrokerId(brokerId).setBrokerEpoch(epoch).setCurrentMetadataOffset(metadataOffset)
                .setWantShutDown(wantShutDown));
    }

    /** Registers a broker and heartbeats it caught up; returns its epoch. */
    private long startBroker(int brokerId) throws Exception {
        long epoch = register(brokerId, new UUID(brokerId, nowMs.get())).brokerEpoch();
        assertThat(heartbeat(brokerId, epoch, image().offset(), false).isFenced()).isFalse();
        return epoch;
    }

    private void createTopic(List<Integer> replicas) throws Exception {
        quorum.controller().submit(image -> new ControllerResult<>(List.of(new TopicRecord("t", TOPIC_ID),
                new PartitionRecord(TOPIC_ID, 0, replicas, replicas, replicas.get(0), 0, 0)), null))
                .get(BOUND_MS, TimeUnit.MILLISECONDS);
    }

    private PartitionImage partition() {
        return image().topic("t").orElseThrow().partitions().get(0);
    }

    private void runTimers() throws Exception {
        quorum.controller().runPeriodicTasks().get(BOUND_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * KAFKA-17793: a heartbeat renews the lease when it arrives, and a broker whose heartbeat waits in the controller's
     * queue is not fenced, however long the controller's thread was held up (here by an operation blocked on a latch,
     * as by a slow commit): the lease check queued before the heartbeat runs at a time past the session timeout.
     */
    @Test
    void aHeartbeatArrivingWhileTheControllerThreadIsBlockedKeepsItsBrokerUnfenced() throws Exception {
        start();
        long epoch = startBroker(1);
        createTopic(List.of(1));
        int leaderEpoch = partition().leaderEpoch();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Object> blocker = quorum.controller().submit(image -> {
            try {
                release.await(BOUND_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ControllerResult<>(List.of(), null);
        });
        nowMs.addAndGet(1000);
        java.util.concurrent.CompletableFuture<Void> leaseCheck = quorum.controller().runPeriodicTasks();
        nowMs.addAndGet(4000);
        java.util.concurrent.CompletableFuture<ApiMessage> queued = apis.send(ApiKey.BROKER_HEARTBEAT,
                new BrokerHeartbeatRequestData().setBrokerId(1).setBrokerEpoch(epoch)
                        .setCurrentMetadataOffset(image().offset()));
        // Past the session timeout since the last handled heartbeat, and since the queued one arrived.
        nowMs.addAndGet(SESSION_TIMEOUT_MS + 1000);
        release.countDown();
        blocker.get(BOUND_MS, TimeUnit.MILLISECONDS);
        leaseCheck.get(BOUND_MS, TimeUnit.MILLISECONDS);
        assertThat(((BrokerHeartbeatResponseData) queued.get(BOUND_MS, TimeUnit.MILLISECONDS)).isFenced()).isFalse();
        assertThat(image().brokers().get(1).fenced()).isFalse();
        // Not fenced and unfenced again either: a fence would have moved its leadership (a new leader epoch).
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().leaderEpoch()).isEqualTo(leaderEpoch);

        // Once handled, the lease runs from the heartbeat again: silence past the timeout fences as before.
        nowMs.addAndGet(SESSION_TIMEOUT_MS + 1);
        runTimers();
        assertThat(image().brokers().get(1).fenced()).isTrue();
    }

    @Test
    void aBrokerIsFencedUntilItsHeartbeatShowsItCaughtUp() throws Exception {
        start();
        BrokerRegistrationResponseData registered = register(1, new UUID(1, 1));
        assertThat(registered.errorCode()).isZero();
        assertThat(image().brokers().get(1).fenced()).isTrue();
        long registeredOffset = image().brokers().get(1).registeredOffset();

        BrokerHeartbeatResponseData behind = heartbeat(1, registered.brokerEpoch(), registeredOffset - 1, false);
        assertThat(behind.isCaughtUp()).isFalse();
        assertThat(behind.isFenced()).isTrue();
        assertThat(image().brokers().get(1).fenced()).isTrue();

        BrokerHeartbeatResponseData caughtUp = heartbeat(1, registered.brokerEpoch(), registeredOffset, false);
        assertThat(caughtUp.isFenced()).isFalse();
        assertThat(image().brokers().get(1).fenced()).isFalse();
        assertThat(heartbeat(1, registered.brokerEpoch() + 1, registeredOffset, false).errorCode())
                .isEqualTo(Errors.STALE_BROKER_EPOCH.code());
    }

    @Test
    void aNewClusterStartsWithEligibleLeaderReplicasAndAFollowerRejoinsTheIsrByTheLeadersAlterPartition()
            throws Exception {
        start();
        long epoch1 = startBroker(1);
        long epoch2 = startBroker(2);
        assertThat(image().features()).containsEntry(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1);
        createTopic(List.of(1, 2));
        heartbeat(2, epoch2, image().offset(), true); // broker 2 shuts down: it leaves the ISR
        assertThat(partition().isr()).containsExactly(1);
        // Back as a new incarnation (clean: it names its previous epoch), unfenced: not in the ISR until its leader
        // says so.
        BrokerRegistrationRequestData again = new BrokerRegistrationRequestData().setBrokerId(2)
                .setClusterId(CLUSTER_ID).setIncarnationId(new UUID(2, 99)).setPreviousBrokerEpoch(epoch2);
        long newEpoch2 = ((BrokerRegistrationResponseData) send(ApiKey.BROKER_REGISTRATION, withFjordFeatures(again)))
                .brokerEpoch();
        heartbeat(2, newEpoch2, image().offset(), false);
        assertThat(image().brokers().get(2).fenced()).isFalse();
        assertThat(partition().isr()).containsExactly(1);

        PartitionImage before = partition();
        AlterPartitionRequestData expand = new AlterPartitionRequestData().setBrokerId(1).setBrokerEpoch(epoch1)
                .setTopics(List.of(new AlterPartitionRequestData.TopicData().setTopicId(TOPIC_ID).setPartitions(
                        List.of(new AlterPartitionRequestData.PartitionData().setPartitionIndex(0)
                                .setLeaderEpoch(before.leaderEpoch()).setPartitionEpoch(before.partitionEpoch())
                                .setNewIsrWithEpochs(List.of(
                                        new AlterPartitionRequestData.BrokerState().setBrokerId(1)
                                                .setBrokerEpoch(epoch1),
                                        new AlterPartitionRequestData.BrokerState().setBrokerId(2)
                                                .setBrokerEpoch(newEpoch2)))))));
        AlterPartitionResponseData answer = (AlterPartitionResponseData) send(ApiKey.ALTER_PARTITION, expand);
        assertThat(answer.errorCode()).isZero();
        assertThat(answer.topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(answer.topics().get(0).partitions().get(0).partitionEpoch())
                .isEqualTo(before.partitionEpoch() + 1);
        assertThat(partition().isr()).containsExactly(1, 2);
        // The same request again is stale: its partition epoch is behind.
        AlterPartitionResponseData stale = (AlterPartitionResponseData) send(ApiKey.ALTER_PARTITION, expand);
        assertThat(stale.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.INVALID_UPDATE_VERSION.code());
    }

    @Test
    void aSilentBrokerIsFencedByTheTimerAndItsLeadershipsMove() throws Exception {
        start();
        long epoch1 = startBroker(1);
        long epoch2 = startBroker(2);
        createTopic(List.of(1, 2));

        nowMs.addAndGet(5000);
        heartbeat(2, epoch2, image().offset(), false);
        runTimers();
        assertThat(image().brokers().get(1).fenced()).as("within its lease").isFalse();

        nowMs.addAndGet(SESSION_TIMEOUT_MS - 5000 + 1);
        runTimers();

        assertThat(image().brokers().get(1).fenced()).isTrue();
        assertThat(image().brokers().get(2).fenced()).isFalse();
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().isr()).containsExactly(2);

        // It comes back: unfenced by its next heartbeat; the preferred election gives it its leadership back.
        heartbeat(1, epoch1, image().offset(), false);
        assertThat(image().brokers().get(1).fenced()).isFalse();
        ElectLeadersRequestData elect = new ElectLeadersRequestData().setElectionType((byte) 0);
        elect.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic("t")
                .setPartitions(List.of(0)));
        ElectLeadersResponseData elected = (ElectLeadersResponseData) send(ApiKey.ELECT_LEADERS, elect);
        // Not yet back in the ISR (that takes replication, issue #8): the preferred replica cannot lead.
        assertThat(elected.replicaElectionResults().get(0).partitionResult().get(0).errorCode())
                .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code());
    }

    @Test
    void aNewlyActiveControllerGivesEveryBrokerAFreshLease() throws Exception {
        start();
        startBroker(1);
        createTopic(List.of(1));
        nowMs.addAndGet(60_000); // the node was down for a minute

        start();
        runTimers();
        assertThat(image().brokers().get(1).fenced()).as("a fresh lease from the activation").isFalse();
        // A new incarnation (the node crashed and restarted) waits for the old one's lease to end...
        assertThat(register(1, new UUID(1, 2)).errorCode()).isEqualTo(Errors.DUPLICATE_BROKER_REGISTRATION.code());

        nowMs.addAndGet(SESSION_TIMEOUT_MS + 1);
        runTimers();
        assertThat(image().brokers().get(1).fenced()).isTrue();
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        // ...then registers, and is unfenced and leads again once caught up.
        BrokerRegistrationResponseData restarted = register(1, new UUID(1, 2));
        assertThat(restarted.errorCode()).isZero();
        assertThat(heartbeat(1, restarted.brokerEpoch(), image().offset(), false).isFenced()).isFalse();
        assertThat(partition().leader()).isEqualTo(1);
    }

    @Test
    void aControlledShutdownMovesLeadershipsBeforeAllowingTheShutdownAndTheNextStartRegistersAtOnce()
            throws Exception {
        start();
        long epoch1 = startBroker(1);
        long epoch2 = startBroker(2);
        createTopic(List.of(1, 2));

        BrokerHeartbeatResponseData first = heartbeat(1, epoch1, image().offset(), true);
        assertThat(first.shouldShutDown()).isFalse();
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(image().brokers().get(1).inControlledShutdown()).isTrue();
        // Broker 2 has not reported the offset of the change yet.
        assertThat(heartbeat(1, epoch1, image().offset(), true).shouldShutDown()).isFalse();
        heartbeat(2, epoch2, image().offset(), false);
        BrokerHeartbeatResponseData allowed = heartbeat(1, epoch1, image().offset(), true);
        assertThat(allowed.shouldShutDown()).isTrue();
        assertThat(image().brokers().get(1).fenced()).isTrue();

        // The single node's restart: a new controller, a new incarnation of the cleanly stopped broker.
        start();
        BrokerRegistrationResponseData restarted = register(1, new UUID(1, 3));
        assertThat(restarted.errorCode()).isZero();
        assertThat(restarted.brokerEpoch()).isGreaterThan(epoch1);
    }

    @Test
    void unregisterBrokerRemovesTheRegistrationAndItsLeaderships() throws Exception {
        start();
        startBroker(1);
        startBroker(2);
        createTopic(List.of(2, 1));

        UnregisterBrokerResponseData removed = (UnregisterBrokerResponseData) send(ApiKey.UNREGISTER_BROKER,
                new UnregisterBrokerRequestData().setBrokerId(2));

        assertThat(removed.errorCode()).isZero();
        assertThat(image().brokers()).doesNotContainKey(2);
        assertThat(partition().leader()).isEqualTo(1);
        UnregisterBrokerResponseData unknown = (UnregisterBrokerResponseData) send(ApiKey.UNREGISTER_BROKER,
                new UnregisterBrokerRequestData().setBrokerId(2));
        assertThat(unknown.errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
    }

    @Test
    void aControllerThatIsNotRunningAnswersNotController() throws Exception {
        start();
        quorum.close();
        quorum = null;
        BrokerHeartbeatResponseData answer = (BrokerHeartbeatResponseData) apis.send(ApiKey.BROKER_HEARTBEAT,
                new BrokerHeartbeatRequestData().setBrokerId(1)).get(BOUND_MS, TimeUnit.MILLISECONDS);
        assertThat(answer.errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
        assertThat(answer.isFenced()).isTrue();
    }
}
