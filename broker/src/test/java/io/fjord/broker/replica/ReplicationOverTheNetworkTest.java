package io.fjord.broker.replica;

import static io.fjord.broker.replica.ReplicaLogs.bytesFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.BrokerDispatcher;
import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.RequestHandlerPool;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.fetch.FollowerPositions;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.handlers.ApiVersionsHandler;
import io.fjord.broker.handlers.BrokerFeatures;
import io.fjord.broker.handlers.FetchHandler;
import io.fjord.broker.handlers.ListOffsetsHandler;
import io.fjord.broker.handlers.OffsetForLeaderEpochHandler;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.NetworkConfig;
import io.fjord.broker.network.SocketServer;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers in one process over loopback: broker 1 leads with the real replica manager and Fetch,
 * OffsetForLeaderEpoch and ListOffsets handlers behind a socket server; broker 2 follows with its replica manager
 * and the replica fetchers. An acks=all produce is released only by the follower's fetches.
 */
class ReplicationOverTheNetworkTest {
    private static final String LISTENER = "REPLICATION";
    private static final UUID TOPIC_ID = new UUID(7, 7);
    private static final TopicPartition PARTITION = new TopicPartition("orders", 0);
    /** Liveness bound on a busy machine, not a performance claim. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path leaderDirectory;
    @TempDir
    Path followerDirectory;

    private final InstantSource clock = InstantSource.system();
    private ReplicaLogs leaderLogs;
    private ReplicaLogs followerLogs;
    private ReplicaManager leader;
    private ReplicaManager follower;
    private ReplicaFetcherManager fetchers;
    private RequestHandlerPool requestHandlers;
    private FetchHandler fetchHandler;
    private SocketServer server;
    /** Every Fetch the leader received, in order. */
    private final List<FetchRequestData> fetchesReceived = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        if (fetchers != null) {
            fetchers.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (server != null) {
            server.shutdown(1_000);
        }
        if (fetchHandler != null) {
            fetchHandler.close();
        }
        if (requestHandlers != null) {
            requestHandlers.shutdownNow();
        }
        if (leader != null) {
            leader.close();
        }
        if (leaderLogs != null) {
            leaderLogs.close();
        }
        if (followerLogs != null) {
            followerLogs.close();
        }
    }

    private static ImageConfigResolver configs(int nodeId) {
        return new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of("node.id",
                String.valueOf(nodeId), "process.roles", "broker"))), nodeId);
    }

    private static CompletableFuture<ApiMessage> noController(ApiKey api, ApiMessage request) {
        return new CompletableFuture<>(); // the ISR never changes in this test
    }

    private InetSocketAddress startLeader(MetadataCache cache) throws InterruptedException {
        leaderLogs = new ReplicaLogs(leaderDirectory);
        AtomicReference<FetchHandler> fetches = new AtomicReference<>();
        leader = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), 1, leaderLogs.logManager, configs(1),
                new NoReplicaFetchers(), ReplicationOverTheNetworkTest::noController, () -> 11L, clock,
                partition -> {
                    FetchHandler handler = fetches.get();
                    if (handler != null) {
                        handler.onPartitionChanged(partition);
                    }
                });
        leader.start();
        requestHandlers = new RequestHandlerPool(2, 100);
        fetchHandler = FetchHandler.start(cache, leader::log, leader::recordFollowerFetch,
                FetchHandler.Settings.from(BrokerConfig.fromMap(Map.of("node.id", "1", "process.roles", "broker"))),
                clock, requestHandlers, FollowerPositions.NONE);
        fetches.set(fetchHandler);
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        AtomicReference<BrokerDispatcher> dispatcher = new AtomicReference<>();
        handlers.put(ApiKey.API_VERSIONS, new ApiVersionsHandler(() -> dispatcher.get().advertisedVersions(), cache,
                BrokerFeatures.of(false)));
        handlers.put(ApiKey.FETCH, (context, request) -> {
            fetchesReceived.add((FetchRequestData) request.body());
            return fetchHandler.handle(context, request);
        });
        handlers.put(ApiKey.LIST_OFFSETS, new ListOffsetsHandler(cache, leader::log,
                topicPartition -> leader.partition(topicPartition).map(Partition::leaderEpochStartOffset).orElse(-1L),
                fetchHandler.readExecutor()));
        handlers.put(ApiKey.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(cache, leader::log));
        dispatcher.set(new BrokerDispatcher(handlers, requestHandlers));
        server = new SocketServer(NetworkConfig.defaults(List.of(new Endpoint(LISTENER, "127.0.0.1", 0))),
                dispatcher.get());
        server.start();
        return server.boundAddress(LISTENER);
    }

    private static MetadataImage image(InetSocketAddress leaderAddress) {
        BrokerImage broker1 = new BrokerImage(1, new UUID(0, 1), 11L, List.of(new BrokerEndpoint(LISTENER,
                leaderAddress.getHostString(), leaderAddress.getPort(), (short) 0)), List.of(), null, false, false, 0,
                -1);
        BrokerImage broker2 = new BrokerImage(2, new UUID(0, 2), 12L, List.of(), List.of(), null, false, false, 0, -1);
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(1, 2), List.of(1, 2), 1, 3, 0));
        TopicImage topic = new TopicImage("orders", TOPIC_ID, partitions);
        return new MetadataImage(1, Map.of(1, broker1, 2, broker2), Map.of("orders", topic), Map.of(TOPIC_ID, topic),
                Map.of(), Map.of(), 0);
    }

    @Test
    void anAcksAllProduceIsReleasedByTheFollowersFetchesAndTheLogsEndIdentical() throws Exception {
        startLeaderAndFollower();
        produceAcksAll("a", "b", "c");

        PartitionLog leaderLog = leader.log(PARTITION).orElseThrow();
        PartitionLog followerLog = follower.log(PARTITION).orElseThrow();
        assertThat(leaderLog.highWatermark()).isEqualTo(3);
        await().atMost(WAIT).until(() -> followerLog.highWatermark() == 3);
        assertThat(bytesFrom(followerLog, 0)).isEqualTo(bytesFrom(leaderLog, 0));
        assertThat(followerLog.latestEpoch()).hasValue(3);
    }

    @Test
    void theFollowerFetchesInAnIncrementalSessionThatNamesOnlyPartitionsThatMoved() throws Exception {
        // KIP-227: after one full fetch that opens a session, a round whose partition has not moved names none, and
        // the leader still reads the session's partitions (from the position it keeps) and releases acks=all.
        startLeaderAndFollower();
        produceAcksAll("a", "b", "c");
        produceAcksAll("d", "e");
        PartitionLog followerLog = follower.log(PARTITION).orElseThrow();
        await().atMost(WAIT).until(() -> followerLog.highWatermark() == 5);
        assertThat(bytesFrom(followerLog, 0)).isEqualTo(bytesFrom(leader.log(PARTITION).orElseThrow(), 0));

        // A fetch after one that got nothing new names no partition at all (the follower's log has not moved).
        await().atMost(WAIT).until(() -> fetchesReceived.stream()
                .anyMatch(fetch -> fetch.sessionEpoch() > 0 && fetch.topics().isEmpty()));

        FetchRequestData first = fetchesReceived.get(0);
        assertThat(first.sessionId()).isZero();
        assertThat(first.sessionEpoch()).isZero(); // a full fetch that asks for a session
        assertThat(first.topics()).singleElement().satisfies(topic -> assertThat(topic.partitions()).hasSize(1));
        List<FetchRequestData> incremental = fetchesReceived.stream()
                .filter(fetch -> fetch.sessionId() != 0 && fetch.sessionEpoch() > 0).toList();
        assertThat(incremental).isNotEmpty();
        // Epochs 1, 2, 3, ... one after the other: no session was restarted.
        for (int index = 0; index < incremental.size(); index++) {
            assertThat(incremental.get(index).sessionEpoch()).isEqualTo(index + 1);
        }
        // A fetch after one that brought records names the partition at its new log end.
        assertThat(incremental).anySatisfy(fetch -> assertThat(fetch.topics()).singleElement()
                .satisfies(topic -> assertThat(topic.partitions()).singleElement()
                        .satisfies(partition -> assertThat(partition.fetchOffset()).isEqualTo(5))));
        assertThat(incremental).allSatisfy(fetch -> assertThat(fetch.forgottenTopicsData()).isEmpty());
    }

    private void produceAcksAll(String... values) throws Exception {
        List<ReplicaManager.AppendOutcome> outcomes = leader.appendRecords((short) -1, 30_000, List.of(
                new ReplicaManager.LeaderAppend(PARTITION, ReplicaLogs.batch(values)))).get(WAIT.toSeconds(),
                TimeUnit.SECONDS);
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.error()).isEqualTo(Errors.NONE));
    }

    private void startLeaderAndFollower() throws Exception {
        MetadataCache leaderCache = new MetadataCache("cluster", 1, MetadataImage.EMPTY);
        MetadataImage image = image(startLeader(leaderCache));
        new MetadataPublication(leaderCache, List.of(leader)).publish(MetadataImage.EMPTY, image);

        followerLogs = new ReplicaLogs(followerDirectory);
        MetadataCache followerCache = new MetadataCache("cluster", 2, MetadataImage.EMPTY);
        ReplicaFetcherConfig config = ReplicaFetcherConfig.withDefaults().withFetchBackoffMs(100);
        fetchers = new ReplicaFetcherManager(2, () -> 12L, config, followerLogs.logManager::getLog,
                new NetworkLeaderEndpoints(2, new InterBrokerAddresses(followerCache, LISTENER), config),
                partition -> { }, clock);
        follower = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), 2, followerLogs.logManager,
                configs(2), fetchers, ReplicationOverTheNetworkTest::noController, () -> 12L, clock, partition -> { });
        follower.start();
        fetchers.start();
        new MetadataPublication(followerCache, List.of(follower)).publish(MetadataImage.EMPTY, image);
        assertThat(fetchers.leaders()).isEqualTo(Map.of(PARTITION, 1));
    }
}
