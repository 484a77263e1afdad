package io.fjord.broker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.controller.ControllerApis;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ClusterMaintenance;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's lifecycle against the controller's real membership decisions behind a fake channel: an in-memory
 * controller applies each operation's records at once, with a clock the test moves (leases), while the broker's
 * heartbeats run on its own thread at a short interval.
 */
class BrokerLifecycleManagerTest {
    private static final long BOUND_MS = 60_000;
    private static final long SESSION_TIMEOUT_MS = 9000;
    private static final String CLUSTER_ID = "cluster-a";
    private static final UUID TOPIC_ID = new UUID(7, 7);

    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
    private final InMemoryController controller = new InMemoryController();
    private final ReplicationControl replication = new ReplicationControl(ReplicationControl.Settings.DEFAULTS);
    private final ClusterControl cluster = new ClusterControl(new ClusterControl.Settings(CLUSTER_ID),
            new BrokerHeartbeatTracker(SESSION_TIMEOUT_MS), replication);
    private final ClusterMaintenance timers = new ClusterMaintenance(new ClusterMaintenance.Settings(
            SESSION_TIMEOUT_MS, false, 300_000), cluster, replication, clock);
    private final FakeChannel channel = new FakeChannel(new ControllerApis(controller, null, null, cluster,
            replication, clock));
    /** The metadata offset broker 1 reports (what it has applied), or {@link #FOLLOWING}. */
    private final AtomicLong brokerOffset = new AtomicLong(-1);
    /** Broker 1 applies everything the controller commits at once. */
    private static final long FOLLOWING = Long.MAX_VALUE;
    private final UUID incarnation = new UUID(1, 1);
    private BrokerLifecycleManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    /** Applies each operation's records as one committed entry, one operation at a time. */
    private static final class InMemoryController implements MetadataController {
        private MetadataImage image = MetadataImage.EMPTY;
        private long nextOffset = 1;

        @Override
        public synchronized <T> CompletableFuture<T> submit(Function<MetadataImage, ControllerResult<T>> operation) {
            try {
                ControllerResult<T> result = operation.apply(image);
                if (!result.records().isEmpty()) {
                    long offset = nextOffset++;
                    MetadataDelta delta = new MetadataDelta(image);
                    for (MetadataRecord record : result.records()) {
                        delta.replay(record, offset);
                    }
                    image = delta.apply();
                }
                return CompletableFuture.completedFuture(result.response());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        synchronized MetadataImage image() {
            return image;
        }
    }

    /** Passes requests to the controller; can drop them (a lost controller) or answer one heartbeat stale. */
    private static final class FakeChannel implements ControllerChannel {
        private final ControllerChannel target;
        final List<ApiMessage> requests = new CopyOnWriteArrayList<>();
        final AtomicBoolean unreachable = new AtomicBoolean();
        /** Requests get no answer at all (a forwarded request waiting for a controller that is gone). */
        final AtomicBoolean silent = new AtomicBoolean();
        /** How many of the next requests fail. */
        final AtomicInteger failNext = new AtomicInteger();
        final AtomicBoolean staleOnce = new AtomicBoolean();

        FakeChannel(ControllerChannel target) {
            this.target = target;
        }

        @Override
        public CompletableFuture<ApiMessage> send(ApiKey api, ApiMessage request) {
            requests.add(request);
            if (unreachable.get()) {
                return CompletableFuture.failedFuture(new java.io.IOException("controller unreachable"));
            }
            if (failNext.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                return CompletableFuture.failedFuture(new java.io.IOException("controller unreachable"));
            }
            if (silent.get()) {
                return new CompletableFuture<>();
            }
            if (api == ApiKey.BROKER_HEARTBEAT && staleOnce.compareAndSet(true, false)) {
                return CompletableFuture.completedFuture(new BrokerHeartbeatResponseData()
                        .setErrorCode(Errors.STALE_BROKER_EPOCH.code()).setIsFenced(true));
            }
            return target.send(api, request);
        }

        /** Another broker's request: it reaches the controller whatever happens to broker 1's. */
        CompletableFuture<ApiMessage> sendDirectly(ApiKey api, ApiMessage request) {
            return target.send(api, request);
        }

        long count(Class<?> type) {
            return requests.stream().filter(type::isInstance).count();
        }
    }

    private static BrokerRegistrationRequestData registration(int brokerId, UUID incarnation) {
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setClusterId(CLUSTER_ID).setIncarnationId(incarnation);
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("localhost").setPort(9090 + brokerId));
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE).setMaxSupportedVersion((short) 1));
        return request;
    }

    private void startManager() {
        startManager(incarnation, OptionalLong.empty());
    }

    private void startManager(UUID incarnationId, OptionalLong previousBrokerEpoch) {
        startManager(new BrokerLifecycleManager.Settings(20), incarnationId, previousBrokerEpoch);
    }

    private void startManager(BrokerLifecycleManager.Settings settings, UUID incarnationId,
                              OptionalLong previousBrokerEpoch) {
        manager = new BrokerLifecycleManager(settings, channel,
                registration(1, incarnationId), () -> brokerOffset.get() == FOLLOWING ? controller.image().offset()
                        : brokerOffset.get(), previousBrokerEpoch);
        manager.start();
    }

    /** Broker 2, driven by the test directly: registered and unfenced; returns its epoch. */
    private long startOtherBroker() throws Exception {
        long epoch = ((BrokerRegistrationResponseData) channel.sendDirectly(ApiKey.BROKER_REGISTRATION,
                registration(2, new UUID(2, 2))).get()).brokerEpoch();
        heartbeatOtherBroker(epoch);
        return epoch;
    }

    private void heartbeatOtherBroker(long epoch) throws Exception {
        channel.sendDirectly(ApiKey.BROKER_HEARTBEAT, new BrokerHeartbeatRequestData().setBrokerId(2).setBrokerEpoch(epoch)
                .setCurrentMetadataOffset(controller.image().offset())).get();
    }

    private void createTopic(List<Integer> replicas) throws Exception {
        controller.submit(image -> new ControllerResult<>(List.of(new TopicRecord("t", TOPIC_ID),
                new PartitionRecord(TOPIC_ID, 0, replicas, replicas, replicas.get(0), 0, 0)), null)).get();
    }

    private int leader() {
        return controller.image().topic("t").orElseThrow().partitions().get(0).leader();
    }

    private void catchUp() {
        brokerOffset.set(FOLLOWING);
    }

    @Test
    void registersThenStaysFencedUntilItsMetadataCaughtUp() throws Exception {
        channel.unreachable.set(true); // the first attempts fail: it retries with back-off
        startManager();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> channel.requests.size() >= 2);
        channel.unreachable.set(false);
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> controller.image().brokers().containsKey(1));
        // Heartbeats behind the registration keep it fenced.
        await().atMost(Duration.ofMillis(BOUND_MS))
                .until(() -> channel.count(BrokerHeartbeatRequestData.class) >= 3);
        assertThat(manager.isFenced()).isTrue();
        assertThat(manager.unfenced()).isNotDone();
        assertThat(controller.image().brokers().get(1).fenced()).isTrue();

        catchUp();
        manager.awaitUnfenced(BOUND_MS);

        assertThat(manager.isFenced()).isFalse();
        assertThat(controller.image().brokers().get(1).fenced()).isFalse();
        BrokerRegistrationRequestData sent = (BrokerRegistrationRequestData) channel.requests.stream()
                .filter(BrokerRegistrationRequestData.class::isInstance).findFirst().orElseThrow();
        assertThat(sent.incarnationId()).isEqualTo(incarnation);
    }

    @Test
    void aBrokerWhoseHeartbeatsStopIsFencedAndItsLeadershipsMove() throws Exception {
        catchUp();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        long epoch2 = startOtherBroker();
        createTopic(List.of(1, 2));
        assertThat(leader()).isEqualTo(1);

        channel.unreachable.set(true); // broker 1's heartbeats no longer arrive
        int sent = channel.requests.size();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> channel.requests.size() > sent);
        nowMs.addAndGet(SESSION_TIMEOUT_MS + 1);
        heartbeatOtherBroker(epoch2);
        controller.submit(image -> new ControllerResult<Object>(timers.periodic(image).records(), null)).get();

        assertThat(controller.image().brokers().get(1).fenced()).isTrue();
        assertThat(leader()).isEqualTo(2);

        // The controller is reachable again: the broker's heartbeats, caught up, unfence it.
        channel.unreachable.set(false);
        catchUp();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> !controller.image().brokers().get(1).fenced());
        assertThat(manager.isFenced()).isFalse();
    }

    @Test
    void aControlledShutdownWaitsUntilTheControllerHasMovedItsLeaderships() throws Exception {
        catchUp();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        long epoch2 = startOtherBroker();
        createTopic(List.of(1, 2));

        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> {
            try {
                return manager.controlledShutdown(BOUND_MS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(Duration.ofMillis(BOUND_MS))
                .until(() -> controller.image().brokers().get(1).inControlledShutdown());
        assertThat(leader()).isEqualTo(2);
        // Not before every active broker has seen the change.
        int sent = channel.requests.size();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> channel.requests.size() >= sent + 3);
        assertThat(shutdown).isNotDone();

        heartbeatOtherBroker(epoch2);
        assertThat(shutdown.get(BOUND_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(controller.image().brokers().get(1).fenced()).isTrue();
        // And then it sends nothing more.
        int afterShutdown = channel.requests.size();
        manager.close();
        assertThat(channel.requests.size()).isLessThanOrEqualTo(afterShutdown + 1);
    }

    @Test
    void aControlledShutdownGivesUpAtItsDeadline() throws Exception {
        catchUp();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        createTopic(List.of(1));
        channel.unreachable.set(true);

        assertThat(manager.controlledShutdown(200)).isFalse();
    }

    /** Controlled shutdown with no deadline of its own to speak of: only its attempts can end it. */
    private CompletableFuture<Boolean> controlledShutdownWithoutDeadline() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return manager.controlledShutdown(10 * BOUND_MS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private long shutdownHeartbeats() {
        return channel.requests.stream().filter(request -> request instanceof BrokerHeartbeatRequestData heartbeat
                && heartbeat.wantShutDown()).count();
    }

    @Test
    void aControlledShutdownStopsAfterThreeFailedAttemptsWhenNoControllerCanBeReached() throws Exception {
        catchUp();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        createTopic(List.of(1));
        channel.unreachable.set(true);

        CompletableFuture<Boolean> shutdown = controlledShutdownWithoutDeadline();

        assertThat(shutdown.get(BOUND_MS, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(shutdownHeartbeats()).isEqualTo(3);
    }

    @Test
    void aControlledShutdownStopsAfterThreeUnansweredAttemptsCountingTheHeartbeatAlreadyWaiting() throws Exception {
        catchUp();
        startManager(new BrokerLifecycleManager.Settings(100, 3, 50), incarnation, OptionalLong.empty());
        manager.awaitUnfenced(BOUND_MS);
        createTopic(List.of(1));
        channel.silent.set(true);
        // The next regular heartbeat (WantShutDown unset) waits forever, as for a controller that is gone.
        int before = channel.requests.size();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> channel.requests.size() > before);

        CompletableFuture<Boolean> shutdown = controlledShutdownWithoutDeadline();

        assertThat(shutdown.get(BOUND_MS, TimeUnit.MILLISECONDS)).isFalse();
        // The one in flight counted as the first attempt; two more were sent.
        assertThat(shutdownHeartbeats()).isEqualTo(2);
        assertThat(channel.requests.size()).isEqualTo(before + 3);
    }

    @Test
    void aSuccessfulAnswerStartsTheCountOfFailedAttemptsAgain() throws Exception {
        catchUp();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        long epoch2 = startOtherBroker();
        createTopic(List.of(1, 2));
        CompletableFuture<Boolean> shutdown = controlledShutdownWithoutDeadline();
        // Two attempts fail, then one is answered, three times, while the controller waits for broker 2 to see the
        // move: never three failures in a row.
        for (int round = 0; round < 3; round++) {
            int from = channel.requests.size();
            channel.failNext.set(2);
            await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> channel.requests.size() >= from + 3);
        }
        assertThat(shutdown).isNotDone();

        heartbeatOtherBroker(epoch2);
        assertThat(shutdown.get(BOUND_MS, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void aBrokerThatNeverRegisteredShutsDownAtOnce() throws Exception {
        channel.unreachable.set(true);
        startManager();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> !channel.requests.isEmpty());

        assertThat(manager.controlledShutdown(BOUND_MS)).isTrue();
    }

    @Test
    void aStaleBrokerEpochMakesItRegisterAgain() throws Exception {
        catchUp();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        AtomicInteger registrationsBefore = new AtomicInteger(
                (int) channel.count(BrokerRegistrationRequestData.class));

        channel.staleOnce.set(true);

        await().atMost(Duration.ofMillis(BOUND_MS))
                .until(() -> channel.count(BrokerRegistrationRequestData.class) > registrationsBefore.get());
        // The same incarnation gets its registration back; heartbeats go on with it and it stays unfenced.
        int sent = channel.requests.size();
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> channel.requests.size() >= sent + 3);
        assertThat(manager.isFenced()).isFalse();
        assertThat(controller.image().brokers().get(1).fenced()).isFalse();
    }

    /**
     * KIP-966 across a restart of broker 1: RF 2, min ISR 2, ELR on; broker 1 shuts down (controlled), so it leaves the
     * ISR for the ELR, and its next incarnation registers naming {@code previousBrokerEpoch} as the manager sends it.
     */
    private List<Integer> elrAfterRestart(boolean cleanShutdown) throws Exception {
        catchUp();
        controller.submit(image -> new ControllerResult<>(List.of(new FeatureLevelRecord(
                ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1), new ConfigRecord(ConfigRecord.TOPIC,
                "t", ReplicationControl.MIN_INSYNC_REPLICAS, "2")), null)).get();
        startManager();
        manager.awaitUnfenced(BOUND_MS);
        long epoch2 = startOtherBroker();
        createTopic(List.of(1, 2));
        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> {
            try {
                return manager.controlledShutdown(BOUND_MS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofMillis(BOUND_MS))
                .until(() -> controller.image().brokers().get(1).inControlledShutdown());
        heartbeatOtherBroker(epoch2);
        assertThat(shutdown.get(BOUND_MS, TimeUnit.MILLISECONDS)).isTrue();
        long epoch1 = manager.brokerEpoch();
        manager.close();
        assertThat(controller.image().topic("t").orElseThrow().partitions().get(0).eligibleLeaderReplicas())
                .as("broker 1 left the ISR below min ISR").containsExactly(1);

        startManager(new UUID(1, 2), cleanShutdown ? OptionalLong.of(epoch1) : OptionalLong.empty());
        manager.awaitUnfenced(BOUND_MS);
        BrokerRegistrationRequestData sent = (BrokerRegistrationRequestData) channel.requests.stream()
                .filter(BrokerRegistrationRequestData.class::isInstance).reduce((first, second) -> second)
                .orElseThrow();
        assertThat(sent.previousBrokerEpoch()).isEqualTo(cleanShutdown ? epoch1 : -1);
        return controller.image().topic("t").orElseThrow().partitions().get(0).eligibleLeaderReplicas();
    }

    @Test
    void aRestartAfterACleanShutdownNamesThePreviousEpochAndStaysEligible() throws Exception {
        assertThat(elrAfterRestart(true)).containsExactly(1);
    }

    @Test
    void aRestartAfterAnUncleanShutdownNamesNoEpochAndLeavesTheElr() throws Exception {
        assertThat(elrAfterRestart(false)).isEmpty();
    }
}
