package io.fjord.server;

import io.fjord.broker.BrokerDispatcher;
import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.LoggerLevels;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.controller.ConfigControl;
import io.fjord.broker.controller.ControllerApis;
import io.fjord.broker.controller.ControllerApisHandler;
import io.fjord.broker.controller.ControllerClusterDescription;
import io.fjord.broker.controller.ControllerChannels;
import io.fjord.broker.controller.ForwardingConfig;
import io.fjord.broker.controller.ForwardingControllerChannel;
import io.fjord.raft.transport.ControllerRequestHandler;
import java.util.function.Supplier;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.coordinator.driver.GroupCoordinatorConfigs;
import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.broker.coordinator.driver.ImageTopicIds;
import io.fjord.broker.coordinator.driver.OffsetsTopicConfig;
import io.fjord.broker.coordinator.driver.OffsetsTopicPublisher;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorConfig;
import io.fjord.broker.handlers.AuthorizingHandlers;
import io.fjord.broker.coordinator.transactiondriver.TransactionCoordinatorDriver;
import io.fjord.broker.coordinator.transactiondriver.TransactionStateTopicConfig;
import io.fjord.broker.coordinator.transactiondriver.TransactionStateTopicPublisher;
import io.fjord.broker.handlers.TransactionHandlers;
import io.fjord.broker.coordinator.runtime.ReplicaManagerPartitionWriter;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.markers.MarkerChannelConfig;
import io.fjord.broker.coordinator.markers.NetworkTransactionMarkerChannel;
import io.fjord.broker.handlers.GroupHandlers;
import io.fjord.broker.handlers.AlterConfigsHandlers;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.handlers.ApiVersionsHandler;
import io.fjord.broker.handlers.BrokerFeatures;
import io.fjord.broker.handlers.DescribeClusterHandler;
import io.fjord.broker.fetch.FollowerPositions;
import io.fjord.broker.handlers.FetchHandler;
import io.fjord.broker.handlers.ListConfigResourcesHandler;
import io.fjord.broker.handlers.ListOffsetsHandler;
import io.fjord.broker.handlers.MetadataHandler;
import io.fjord.broker.RequestHandlerPool;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.handlers.DeleteRecordsHandler;
import io.fjord.broker.handlers.DescribeConfigsHandler;
import io.fjord.broker.handlers.DescribeLogDirsHandler;
import io.fjord.broker.handlers.DescribeProducersHandler;
import io.fjord.broker.handlers.DescribeTopicPartitionsHandler;
import io.fjord.broker.handlers.InitProducerIdHandler;
import io.fjord.broker.producer.ProducerIdManager;
import io.fjord.broker.handlers.ProduceHandler;
import java.security.SecureRandom;
import io.fjord.broker.handlers.TopicAdminHandlers;
import io.fjord.broker.handlers.ForwardedControllerHandler;
import io.fjord.broker.replica.ReplicationThrottles;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.broker.handlers.OffsetForLeaderEpochHandler;
import io.fjord.broker.handlers.UpdateFeaturesHandler;
import io.fjord.broker.handlers.WriteTxnMarkersHandler;
import io.fjord.raft.transport.DescribeQuorumMapper;
import io.fjord.broker.lifecycle.BrokerLifecycleManager;
import io.fjord.broker.security.authorizer.Authorizer;
import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.replica.InterBrokerAddresses;
import io.fjord.broker.replica.NetworkLeaderEndpoints;
import io.fjord.broker.security.sasl.SaslClientCredentials;
import io.fjord.broker.verification.AddPartitionRetries;
import io.fjord.broker.verification.AddPartitionsToTxnManager;
import io.fjord.broker.verification.NetworkCoordinatorRequests;
import io.fjord.broker.verification.ProduceVerification;
import io.fjord.broker.replica.Partition;
import io.fjord.broker.replica.ReplicaFetcherConfig;
import io.fjord.broker.replica.ReplicaFetcherManager;
import io.fjord.broker.replica.ReplicaFetching;
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.ListenerAddresses;
import io.fjord.broker.network.SocketServer;
import io.fjord.metadata.quorum.MetadataQuorum;
import io.fjord.metadata.quorum.MetadataSnapshotPolicy;
import io.fjord.metadata.quorum.QuorumKraftVersion;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ClusterMaintenance;
import io.fjord.metadata.controller.FeatureControl;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.storage.LogManager;
import io.fjord.storage.MetaProperties;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Fjord node with the broker and controller roles (the single-node default): its data directories, metadata
 * log and image, controller, group coordinator, request handlers and socket server. {@link #start()} brings them up in dependency
 * order; {@link #stop()} takes them down in reverse, finishing requests in flight and closing every log cleanly.
 *
 * <p>Thread-safety: start and stop are serialized on this object; everything else is owned by the components.
 */
public final class FjordNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FjordNode.class);

    private final NodeConfig config;
    private final InstantSource clock;
    private LogManager logManager;
    /** The longest a controller operation waits for its commit (a liveness bound, as Kafka's request timeout). */
    private static final long CONTROLLER_WAIT_MS = 30_000;
    /** The longest start-up waits for the metadata quorum to elect a leader and this node to catch up. */
    private static final long METADATA_CATCH_UP_MS = 60_000;

    private volatile MetadataQuorum quorum; // read on the controller listener's threads too (SCRAM logins)
    /** The channel to the active controller on other nodes; null on a quorum of one. */
    private ForwardingControllerChannel forwarding;
    private volatile BrokerLifecycleManager lifecycle;
    private ControllerChannel controller;
    private ReplicationThrottles replicationThrottles;
    private SocketServer socketServer;
    private MetadataCache cache;
    private FetchHandler fetchHandler;
    private GroupCoordinatorDriver groupCoordinator;
    private TransactionCoordinatorDriver transactionCoordinator;
    /** Sends the transaction coordinator's markers; started by the coordinator with its outcomes. */
    private volatile NetworkTransactionMarkerChannel transactionMarkerChannel;
    private ReplicaFetching replicaFetching;
    private ReplicaManager replicaManager;
    private NetworkCoordinatorRequests coordinatorRequests;
    private RequestHandlerPool requestHandlers;
    private BrokerDispatcher dispatcher;
    private final ImageConfigResolver configs;
    /** {@link #config} under the dynamic broker configs found at start-up. */
    private NodeConfig runningConfig;
    /** Whether {@link #start()} completed and no stop followed. */
    private boolean ready;
    private final StartupWaits startupWaits = new StartupWaits();
    private final List<java.util.function.Consumer<TopicPartition>> partitionListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public FjordNode(NodeConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        this.configs = new ImageConfigResolver(ConfigResolver.ofStatic(config.brokerConfig()), config.nodeId());
    }

    /**
     * Brings the node up; on failure it takes down what it had started before throwing, so the caller has nothing to
     * stop (and no "stopped cleanly" follows a failed start).
     */
    public synchronized void start() throws InterruptedException {
        try {
            startComponents();
        } catch (InterruptedException | RuntimeException | Error e) {
            stopComponents();
            throw e;
        }
        ready = true;
    }

    private void startComponents() throws InterruptedException {
        MetaProperties identity = formatOrCheck();
        AtomicReference<ControllerApis> controllerApis = new AtomicReference<>();
        // Before the quorum: the controller listener's authorizer reads the ACLs from it.
        cache = new MetadataCache(identity.clusterId().orElseThrow(), config.nodeId(), MetadataImage.EMPTY);
        quorum = metadataQuorum(identity.clusterId().orElseThrow(), controllerApis::get);
        // Decided by the controller's pure control classes; built before the quorum starts, since the controller
        // listener may hand it forwarded requests as soon as it binds.
        TopicControl topics = new TopicControl(new TopicControl.Defaults(config.numPartitions(),
                config.defaultReplicationFactor(), config.deleteTopicEnable()), this::validateTopicConfigs,
                UUID::randomUUID, new java.security.SecureRandom());
        ControllerApis local = controllerApis(identity.clusterId().orElseThrow(), topics);
        controllerApis.set(local);
        MetadataImage image = startQuorum();
        runningConfig = withDynamicConfigs(image);
        controller = controllerChannel(local);
        if (!config.quorum().isBroker()) {
            // A controller-only node: the quorum and the controller, no logs, no client listener.
            awaitAttached(quorum.loader().attach(new MetadataPublication(cache, List.of())));
            LOG.info("Fjord node {} of cluster {} is ready as a controller; listening on {}", config.nodeId(),
                    identity.clusterId().orElseThrow(), boundListeners());
            return;
        }

        logManager = new LogManager(runningConfig.logManagerConfig(), clock);
        MetadataImage loaded = image;
        ConfigResolver loadedConfigs = configs.resolve(loaded);
        logManager.startup(topic -> loadedConfigs.logConfig(loaded.topicConfig(topic)));
        // Followers fetch from leaders on the inter-broker listener (Kafka's default: the one named after
        // security.inter.broker.protocol, PLAINTEXT).
        ReplicaFetcherConfig fetcherConfig = ReplicaFetcherConfig.from(runningConfig.brokerConfig());
        // Kafka's replication throttles: the leader's quota for its reads, the follower's for the fetchers.
        replicationThrottles = new ReplicationThrottles(configs, runningConfig.brokerConfig(), clock);
        String interBrokerListener = BrokerSocketServer.interBrokerListener(runningConfig.brokerConfig());
        // On a SASL inter-broker listener the broker authenticates as its JAAS entry's user, as Kafka's.
        SaslClientCredentials interBrokerSasl = InterBrokerSasl.credentials(runningConfig.brokerConfig(),
                config.listeners(), true);
        ReplicaFetcherManager fetchers = new ReplicaFetcherManager(config.nodeId(),
                () -> lifecycle == null ? -1 : lifecycle.brokerEpoch(), fetcherConfig, logManager::getLog,
                new NetworkLeaderEndpoints(config.nodeId(), new InterBrokerAddresses(cache, interBrokerListener),
                        fetcherConfig, config.channelSecurity(interBrokerListener), interBrokerSasl),
                this::partitionChanged, clock,
                replicationThrottles.follower(),
                // Through the log manager, as Kafka's fetchers: the recovery-point checkpoint drops with the log.
                io.fjord.broker.replica.LogTruncation.through(logManager));
        replicaFetching = fetchers;
        fetchers.start();
        replicaManager = new ReplicaManager(ReplicaManager.Settings.from(runningConfig.brokerConfig()),
                config.nodeId(), logManager, configs, replicaFetching, controller,
                () -> lifecycle == null ? -1 : lifecycle.brokerEpoch(), clock, this::partitionChanged);
        replicaManager.start();
        // Markers go over the inter-broker listener to each partition's leader, this node's own included, as Kafka's.
        int transactionStatePartitions = runningConfig.brokerConfig().intValue("transaction.state.log.num.partitions");
        transactionMarkerChannel = NetworkTransactionMarkerChannel.overTheNetwork(config.nodeId(), cache,
                interBrokerListener, config.channelSecurity(interBrokerListener), interBrokerSasl,
                MarkerChannelConfig.from(runningConfig.brokerConfig()),
                transactionalId -> OffsetsPartitions.partitionFor(transactionalId, transactionStatePartitions), clock);
        // KIP-890: transactional batches and offset commits are verified with their coordinator (inter-broker).
        coordinatorRequests = NetworkCoordinatorRequests.overTheNetwork(config.nodeId(),
                new InterBrokerAddresses(cache, interBrokerListener), new NodeConnectionSettings(10_000, 1,
                        runningConfig.brokerConfig().intValue("socket.request.max.bytes"),
                        config.channelSecurity(interBrokerListener), interBrokerSasl),
                runningConfig.brokerConfig().intValue("request.timeout.ms"));
        AddPartitionsToTxnManager addPartitionsToTxn = new AddPartitionsToTxnManager(cache::image, coordinatorRequests);
        groupCoordinator = new GroupCoordinatorDriver(GroupCoordinatorConfigs.from(runningConfig.brokerConfig()),
                GroupCoordinatorConfigs.consumerGroups(runningConfig.brokerConfig()),
                OffsetsTopicConfig.from(runningConfig.brokerConfig()), new ImageTopicIds(cache), replicaManager::log,
                ReplicaManagerPartitionWriter.verifying(replicaManager, addPartitionsToTxn,
                        this::transactionPartitionVerificationEnabled), clock);
        groupCoordinator.start();
        // Its replies wait for the high watermark, whose moves the replica manager announces here.
        partitionListeners.add(groupCoordinator::onPartitionChanged);
        ProducerIdManager producerIds = new ProducerIdManager(config.nodeId(),
                () -> lifecycle == null ? -1 : lifecycle.brokerEpoch(), controller, clock);
        transactionCoordinator = startTransactionCoordinator(producerIds);
        var clientQuotas = ClientQuotaWiring.quotas(runningConfig.brokerConfig());
        // The coordinators follow the log publisher, so an internal partition's log exists when it loads.
        var keystores = new io.fjord.broker.network.tls.SslKeystoreReloader(config.brokerConfig().originals(),
                config.nodeId(), tlsListeners());
        DynamicConnectionLimits connectionLimits = BrokerSocketServer.dynamicConnectionLimits(config);
        MetadataPublication publication = new MetadataPublication(cache,
                List.of(replicaManager, replicationThrottles, clientQuotas,
                        new OffsetsTopicPublisher(config.nodeId(), groupCoordinator),
                        new TransactionStateTopicPublisher(config.nodeId(), transactionCoordinator), keystores,
                        connectionLimits));
        // From here on the loader publishes every committed change, starting with the image so far.
        awaitAttached(quorum.loader().attach(publication));

        TopicAdminHandlers topicAdmin = new TopicAdminHandlers(controller);
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        AtomicReference<BrokerDispatcher> advertising = new AtomicReference<>();
        boolean consumerProtocolEnabled = GroupCoordinatorConfigs.consumerProtocolEnabled(
                runningConfig.brokerConfig());
        handlers.put(ApiKey.API_VERSIONS, new ApiVersionsHandler(() -> advertising.get().advertisedVersions(), cache,
                BrokerFeatures.of(consumerProtocolEnabled), () -> quorum.kraftVersion()));
        Authorizer authorizer = SecurityHandlers.authorizer(runningConfig.brokerConfig(), cache);
        SecurityHandlers.register(handlers, controller, cache, authorizer);
        handlers.put(ApiKey.METADATA, new MetadataHandler(cache, config.autoCreateTopics(),
                (CreateTopicsRequestData request) -> topicAdmin.createTopics(request), this::internalTopic));
        handlers.put(ApiKey.DESCRIBE_CLUSTER, new DescribeClusterHandler(cache));
        handlers.put(ApiKey.CREATE_TOPICS, topicAdmin.createTopicsHandler());
        handlers.put(ApiKey.DELETE_TOPICS, topicAdmin.deleteTopicsHandler());
        handlers.put(ApiKey.CREATE_PARTITIONS, topicAdmin.createPartitionsHandler());
        requestHandlers = new RequestHandlerPool(runningConfig.brokerConfig().intValue("num.io.threads"),
                runningConfig.brokerConfig().intValue("queued.max.requests"));
        // KIP-392: the leader's Partition knows its followers' positions, from which a preferred read replica is
        // chosen when replica.selector.class is set.
        FollowerPositions followerPositions = (topicPartition, brokerId) -> replicaManager.partition(topicPartition)
                .flatMap(partition -> partition.followerState(brokerId))
                .filter(state -> state.logEndOffset() >= 0)
                .map(state -> new FollowerPositions.FollowerPosition(state.logStartOffset(), state.logEndOffset(),
                        state.lastCaughtUpTimeMs()));
        fetchHandler = FetchHandler.start(cache, replicaManager::log, replicaManager::recordFollowerFetch,
                FetchHandler.Settings.from(runningConfig.brokerConfig()), clock, requestHandlers, followerPositions,
                replicationThrottles.leader());
        handlers.put(ApiKey.FETCH, fetchHandler);
        handlers.put(ApiKey.LIST_OFFSETS, new ListOffsetsHandler(cache, replicaManager::log,
                topicPartition -> replicaManager.partition(topicPartition).map(Partition::leaderEpochStartOffset)
                        .orElse(-1L), fetchHandler.readExecutor()));
        handlers.put(ApiKey.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(cache, replicaManager::log));
        partitionListeners.add(fetchHandler::onPartitionChanged);
        ProduceVerification verification = new ProduceVerification(addPartitionsToTxn,
                replicaManager::startTransactionVerification, this::transactionPartitionVerificationEnabled,
                AddPartitionRetries.from(runningConfig.brokerConfig(), replicaManager::schedule, clock));
        ProduceHandler produceHandler = new ProduceHandler(cache, replicaManager, this::effectiveTopicConfigs, clock,
                verification, requestHandlers);
        handlers.put(ApiKey.PRODUCE, produceHandler);
        handlers.put(ApiKey.INIT_PRODUCER_ID, new InitProducerIdHandler(producerIds));
        LoggerLevels loggers = LogbackLoggerLevels.current();
        handlers.put(ApiKey.DESCRIBE_CONFIGS, new DescribeConfigsHandler(cache, configs, loggers));
        handlers.put(ApiKey.LIST_CONFIG_RESOURCES, new ListConfigResourcesHandler(cache));
        handlers.put(ApiKey.DELETE_RECORDS, new DeleteRecordsHandler(cache, replicaManager::deleteRecords));
        // An offsets partition's marker goes to the group coordinator, which commits or drops the pending offsets.
        handlers.put(ApiKey.WRITE_TXN_MARKERS, new WriteTxnMarkersHandler(replicaManager::appendTransactionMarkers,
                (offsetsPartition, producerId, producerEpoch, coordinatorEpoch, commit, timeoutMs) ->
                        groupCoordinator.completeTransaction(offsetsPartition.partition(), producerId, producerEpoch,
                                coordinatorEpoch, commit),
                runningConfig.brokerConfig().intValue("request.timeout.ms")));
        // New keystores and connection limits of this broker are checked before they are committed, as Kafka does.
        AlterConfigsHandlers alterConfigs = new AlterConfigsHandlers(controller, config.nodeId(), loggers,
                () -> cache.image().brokerConfig(Integer.toString(config.nodeId())),
                proposed -> keystores.refusal(proposed).or(() -> connectionLimits.refusal(proposed)));
        handlers.put(ApiKey.INCREMENTAL_ALTER_CONFIGS, alterConfigs.incrementalAlterConfigsHandler());
        handlers.put(ApiKey.ALTER_CONFIGS, alterConfigs.alterConfigsHandler());
        handlers.put(ApiKey.DESCRIBE_LOG_DIRS, new DescribeLogDirsHandler(logManager));
        handlers.put(ApiKey.DESCRIBE_TOPIC_PARTITIONS, new DescribeTopicPartitionsHandler(cache,
                config.brokerConfig().intValue("max.request.partition.size.limit")));
        handlers.put(ApiKey.DESCRIBE_PRODUCERS, new DescribeProducersHandler(cache, replicaManager::log));
        // Forwarded to the active controller, as Kafka's brokers forward them; a quorum of one describes itself.
        handlers.put(ApiKey.DESCRIBE_QUORUM, new ForwardedControllerHandler(forwarding != null ? controller
                : (api, request) -> quorum.describeQuorum().<ApiMessage>handle((description, failure) ->
                        DescribeQuorumMapper.describeQuorum(description, failure, (short) 2, Map.of())),
                ApiKey.DESCRIBE_QUORUM));
        handlers.put(ApiKey.ELECT_LEADERS, new ForwardedControllerHandler(controller, ApiKey.ELECT_LEADERS));
        if (forwarding != null) {
            // KIP-853 voter changes, forwarded to the Raft leader's listener as Kafka's brokers forward them (a
            // static quorum's listener refuses them there with UNSUPPORTED_VERSION).
            handlers.put(ApiKey.ADD_RAFT_VOTER, new ForwardedControllerHandler(controller, ApiKey.ADD_RAFT_VOTER));
            handlers.put(ApiKey.REMOVE_RAFT_VOTER, new ForwardedControllerHandler(controller,
                    ApiKey.REMOVE_RAFT_VOTER));
        }
        handlers.put(ApiKey.UNREGISTER_BROKER, new ForwardedControllerHandler(controller, ApiKey.UNREGISTER_BROKER));
        handlers.put(ApiKey.UPDATE_FEATURES, new UpdateFeaturesHandler(controller));
        handlers.put(ApiKey.ALTER_PARTITION_REASSIGNMENTS, new ForwardedControllerHandler(controller,
                ApiKey.ALTER_PARTITION_REASSIGNMENTS));
        handlers.put(ApiKey.LIST_PARTITION_REASSIGNMENTS, new ForwardedControllerHandler(controller,
                ApiKey.LIST_PARTITION_REASSIGNMENTS));
        GroupHandlers.register(handlers, cache, groupCoordinator, topicAdmin::createTopics, consumerProtocolEnabled);
        TransactionHandlers.register(handlers, cache, groupCoordinator, transactionCoordinator, producerIds,
                topicAdmin::createTopics);
        ClientQuotaWiring.register(handlers, cache, controller, clientQuotas, runningConfig.brokerConfig(), clock);
        dispatcher = new BrokerDispatcher(ClientQuotaWiring.enforcing(AuthorizingHandlers.wrap(handlers, authorizer,
                cache), clientQuotas, clock), requestHandlers, produceHandler::appendsOnNetworkThread);
        advertising.set(dispatcher);

        // The client quotas also hold the per-IP connection creation rates.
        // The listeners' own security objects, whose stores the keystore reloader replaces.
        socketServer = BrokerSocketServer.create(runningConfig, config::channelSecurity, dispatcher, cache,
                clientQuotas);
        connectionLimits.attach(socketServer::updateConnectionLimits); // and each committed change of them
        socketServer.start();
        lifecycle = new BrokerLifecycleManager(new BrokerLifecycleManager.Settings(
                runningConfig.brokerConfig().intValue("broker.heartbeat.interval.ms")), controller,
                brokerRegistration(consumerProtocolEnabled), () -> quorum.loader().publishedImage().offset(),
                logManager.previousBrokerEpoch());
        lifecycle.start();
        awaitUnfenced();
        LOG.info("Fjord node {} of cluster {} is ready; listening on {}", config.nodeId(),
                identity.clusterId().orElseThrow(), boundListeners());
    }

    /**
     * The node's part of the metadata quorum: a quorum of one without a controller listener (the zero-configuration
     * node), else the Raft transport on the controller listener (a voter) or on none (a broker-only observer),
     * connecting to the voters of {@code controller.quorum.voters} with Kafka's {@code controller.quorum.*}
     * timeouts.
     */
    private MetadataQuorum metadataQuorum(String clusterId, Supplier<ControllerApis> controllerApis) {
        QuorumShape shape = config.quorum();
        MetadataSnapshotPolicy snapshots = QuorumSettings.snapshots(config);
        if (shape.isStandalone() && shape.controllerListener() == null) {
            return MetadataQuorum.standalone(config.nodeId(), config.metadataLogDirectory(), CONTROLLER_WAIT_MS,
                    snapshots);
        }
        return MetadataQuorum.networked(QuorumSettings.raft(config), QuorumSettings.transport(config, clusterId,
                        ControllerScramCredentials.of(() -> quorum, bootstrapRecords()), cache),
                config.metadataLogDirectory(), CONTROLLER_WAIT_MS, snapshots,
                shape.isController() ? new ControllerApisHandler(controllerApis, new ControllerClusterDescription(
                        clusterId, this::voterAddresses, () -> quorum.status().leaderId()))
                        : ControllerRequestHandler.NONE);
    }

    /** The node's SSL listeners (served or only connected to) by name, for keystore reloads. */
    private Map<String, io.fjord.broker.network.tls.TlsChannelSecurity> tlsListeners() {
        Map<String, io.fjord.broker.network.tls.TlsChannelSecurity> result = new java.util.HashMap<>();
        config.channelSecurities().forEach((name, security) -> {
            if (security instanceof io.fjord.broker.network.tls.TlsChannelSecurity tls) {
                result.put(name, tls);
            }
        });
        return result;
    }

    /**
     * The voters' controller listeners by id: {@code controller.quorum.voters}, or in a dynamic quorum (a quorum of
     * one, or a static one upgraded to {@code kraft.version} 1) the voter set the Raft log holds, with the endpoints
     * the Raft transport knows.
     */
    private Map<Integer, InetSocketAddress> voterAddresses() {
        QuorumShape shape = config.quorum();
        if (!shape.voters().isEmpty() && (quorum == null || quorum.kraftVersion() == 0)) {
            return shape.voters();
        }
        Map<Integer, InetSocketAddress> result = new java.util.TreeMap<>();
        MetadataQuorum current = quorum;
        if (current == null) {
            return result;
        }
        for (int id : current.voters().ids()) {
            InetSocketAddress address = id == config.nodeId() && current.boundAddress() != null
                    && shape.isStandalone() ? current.boundAddress() : current.voterAddress(id);
            if (address != null) {
                result.put(id, address);
            }
        }
        return result;
    }

    /**
     * How this node's handlers reach the controller: in process on a quorum of one; otherwise in process while this
     * node's controller is the active one and forwarded over the controller listener to the active one else (a
     * broker-only node always forwards).
     */
    private ControllerChannel controllerChannel(ControllerApis local) {
        QuorumShape shape = config.quorum();
        if (shape.isStandalone() && shape.controllerListener() == null) {
            return local;
        }
        forwarding = new ForwardingControllerChannel(config.nodeId(), () -> quorum.status().leaderId(),
                this::voterAddresses, ForwardingConfig.withDefaults().withSasl(ControllerSasl.of(
                        config.brokerConfig(), config.listeners()).map(ControllerSasl::client).orElse(null)),
                QuorumSettings.controllerListenerSecurity(config));
        forwarding.start();
        return shape.isController() ? ControllerChannels.routing(local, ControllerApis.APIS, forwarding,
                quorum.controller()::isActive) : forwarding;
    }

    /** Starts the metadata quorum and waits until this node has applied everything committed so far. */
    private MetadataImage startQuorum() throws InterruptedException {
        try {
            quorum.start();
            return startupWaits.await("the metadata to catch up", METADATA_CATCH_UP_MS, quorum::awaitCaughtUp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metadata log in " + config.metadataLogDirectory() + ": "
                    + e.getMessage(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void awaitAttached(java.util.concurrent.CompletableFuture<Void> attached)
            throws InterruptedException {
        try {
            startupWaits.await("the first metadata publication", METADATA_CATCH_UP_MS, timeoutMs -> {
                try {
                    return attached.get(timeoutMs, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("cannot publish the metadata: " + e.getCause().getMessage(),
                            e.getCause());
                }
            });
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the metadata was not published within " + METADATA_CATCH_UP_MS + " ms");
        }
    }

    /**
     * The static config under the dynamic broker configs of the loaded metadata (cluster default, then this
     * broker's), as Kafka applies them at start-up: settings read only when the node starts (log cleaner, network
     * and request threads, connection limits, producer id expiration) thus follow dynamic changes after a restart.
     * Listener settings stay as {@code server.properties} has them.
     */
    private NodeConfig withDynamicConfigs(MetadataImage image) {
        Map<String, String> merged = new java.util.HashMap<>(config.brokerConfig().originals());
        for (Map<String, String> layer : List.of(image.brokerConfig(ImageConfigResolver.CLUSTER_DEFAULT),
                configs.perBrokerConfigs(image))) {
            layer.forEach((name, value) -> {
                if (!name.startsWith("listener") && !name.equals("advertised.listeners")) {
                    merged.put(name, value);
                }
            });
        }
        try {
            return NodeConfig.fromProperties(merged);
        } catch (ConfigException | IllegalArgumentException e) {
            // Kafka, too, starts with its static config when a stored dynamic one cannot be used.
            LOG.warn("Ignoring the dynamic broker configs at start-up: {}", e.getMessage());
            return config;
        }
    }

    /**
     * The transaction coordinator on the shared coordinator runtime, with its marker channel; its replies and markers
     * wait for the high watermark, whose moves the replica manager announces.
     */
    private TransactionCoordinatorDriver startTransactionCoordinator(ProducerIdManager producerIds) {
        BrokerConfig settings = runningConfig.brokerConfig();
        TransactionCoordinatorDriver driver = new TransactionCoordinatorDriver(new TransactionCoordinatorConfig(
                settings.intValue("transaction.max.timeout.ms"), settings.intValue("transactional.id.expiration.ms"),
                settings.intValue("transaction.abort.timed.out.transaction.cleanup.interval.ms"),
                settings.intValue("transaction.remove.expired.transaction.cleanup.interval.ms"), (short) 0),
                TransactionStateTopicConfig.from(settings), producerIds,
                () -> partitionCount(TransactionStateTopicConfig.TOPIC),
                () -> {
                    int existing = partitionCount(OffsetsPartitions.TOPIC);
                    return existing > 0 ? existing : groupCoordinator.topicConfig().partitionCount();
                },
                () -> cache.image().features().getOrDefault("transaction.version", (short) 0),
                replicaManager::log, new ReplicaManagerPartitionWriter(replicaManager), clock);
        transactionMarkerChannel.start(driver);
        driver.setMarkerChannel(transactionMarkerChannel);
        driver.start();
        partitionListeners.add(driver::onPartitionChanged);
        return driver;
    }

    private int partitionCount(String topic) {
        return cache.image().topic(topic).map(found -> found.partitionCount()).orElse(0);
    }

    /** How Metadata's auto-creation makes an internal topic: only the offsets topic has a coordinator here. */
    private Optional<CreateTopicsRequestData.CreatableTopic> internalTopic(String name) {
        if (!name.equals(OffsetsPartitions.TOPIC)) {
            return Optional.empty();
        }
        return Optional.of(groupCoordinator.topicConfig().creatableTopic(cache.image()));
    }

    /** A topic's effective configs: its overrides over the broker's current (dynamic, static) defaults. */
    private Map<String, String> effectiveTopicConfigs(Map<String, String> overrides) {
        return configs.resolve(cache.image()).effectiveTopicConfigs(overrides);
    }

    /** Data was appended to a partition: wake whatever waits for it (long-polling fetches). */
    private void partitionChanged(TopicPartition partition) {
        partitionListeners.forEach(listener -> listener.accept(partition));
    }

    private Optional<String> validateTopicConfigs(Map<String, String> overrides) {
        // Runs on the controller thread, whose operations decide from the loader's image.
        return configs.resolve(quorum.loader().image()).validateTopicConfigs(overrides)
                .map(error -> error.message());
    }

    /**
     * The controller's APIs and its membership timers (lease expiry, auto leader rebalance), sharing one
     * {@link ClusterControl}: its heartbeat leases are the controller thread's soft state.
     */
    private ControllerApis controllerApis(String clusterId, TopicControl topics) {
        // The static settings: built before the metadata (and its dynamic configs) is loaded.
        BrokerConfig settings = config.brokerConfig();
        ReplicationControl replication = new ReplicationControl(new ReplicationControl.Settings(
                settings.booleanValue("unclean.leader.election.enable"),
                settings.intValue("leader.imbalance.per.broker.percentage"), settings.intValue("min.insync.replicas")));
        long sessionTimeoutMs = settings.intValue("broker.session.timeout.ms");
        ClusterControl cluster = new ClusterControl(new ClusterControl.Settings(clusterId),
                new BrokerHeartbeatTracker(sessionTimeoutMs), replication);
        quorum.controller().setActiveTasks(new ClusterMaintenance(new ClusterMaintenance.Settings(sessionTimeoutMs,
                settings.booleanValue("auto.leader.rebalance.enable"),
                TimeUnit.SECONDS.toMillis(settings.longValue("leader.imbalance.check.interval.seconds"))), cluster,
                replication, clock, bootstrapRecords()));
        FeatureControl features = new FeatureControl(config.nodeId(), BrokerFeatures.of(false).maxSupportedLevel(
                ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE), BrokerFeatures.of(
                GroupCoordinatorConfigs.consumerProtocolEnabled(settings)).fixedFeatures(),
                settings.intValue("min.insync.replicas"), new QuorumKraftVersion(quorum, CONTROLLER_WAIT_MS));
        return new ControllerApis(quorum.controller(), topics, new ConfigControl(configs), cluster, replication,
                features, clock);
    }

    /** This broker's registration: a new incarnation, its advertised listeners, rack and supported features. */
    /** What {@code fjord format --add-scram} left for a new cluster; a damaged file stops the start-up. */
    private List<io.fjord.metadata.records.MetadataRecord> bootstrapRecords() {
        try {
            return io.fjord.metadata.quorum.BootstrapRecords.read(config.metadataLogDirectory());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bootstrap records: " + e.getMessage(), e);
        }
    }

    private BrokerRegistrationRequestData brokerRegistration(boolean consumerProtocolEnabled) {
        List<BrokerEndpoint> endpoints = new ArrayList<>();
        for (Endpoint endpoint : config.advertisedListeners()) {
            String host = endpoint.host().isEmpty() ? "localhost" : endpoint.host();
            // Port 0 binds any free port; advertise the one actually bound, as Kafka does.
            int port = endpoint.port() == 0 ? socketServer.boundAddress(endpoint.listenerName()).getPort()
                    : endpoint.port();
            endpoints.add(new BrokerEndpoint(endpoint.listenerName(), host, port,
                    ListenerSecurity.protocolId(config.brokerConfig(), endpoint.listenerName())));
        }
        BrokerRegistrationRequestData registration = new BrokerRegistrationRequestData().setBrokerId(config.nodeId())
                .setClusterId(cache.clusterId()).setIncarnationId(UUID.randomUUID())
                .setRack(config.brokerConfig().brokerRack());
        endpoints.forEach(endpoint -> registration.listeners().add(new BrokerRegistrationRequestData.Listener()
                .setName(endpoint.listenerName()).setHost(endpoint.host()).setPort(endpoint.port())
                .setSecurityProtocol(endpoint.securityProtocol())));
        BrokerFeatures.of(consumerProtocolEnabled).supported((short) 4).forEach(feature -> registration.features()
                .add(new BrokerRegistrationRequestData.Feature().setName(feature.name())
                        .setMinSupportedVersion(feature.minVersion()).setMaxSupportedVersion(feature.maxVersion())));
        return registration;
    }

    /** Waits until the controller has unfenced this broker: it registered and caught up with the metadata log. */
    private void awaitUnfenced() throws InterruptedException {
        try {
            startupWaits.await("broker " + config.nodeId() + " to be unfenced", METADATA_CATCH_UP_MS, timeoutMs -> {
                lifecycle.awaitUnfenced(timeoutMs);
                return null;
            });
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot register broker " + config.nodeId() + ": " + e.getMessage()
                    + " (registered: " + (lifecycle.brokerEpoch() >= 0) + ")", e);
        }
    }

    /** Formats empty data directories (a new cluster id) and checks formatted ones agree with this node. */
    private MetaProperties formatOrCheck() {
        return new NodeDirectories(config, UUID::randomUUID).formatOrCheck();
    }

    /** The bound address of a listener (its real port when configured with port 0). */
    public synchronized InetSocketAddress boundAddress(String listenerName) {
        return socketServer.boundAddress(listenerName);
    }

    /** Each listener as configured (with its real port) and the addresses it is bound to. */
    private List<String> boundListeners() {
        List<String> bound = new ArrayList<>();
        for (Endpoint endpoint : socketServer == null ? List.<Endpoint>of() : config.networkConfig().listeners()) {
            List<InetSocketAddress> addresses = socketServer.boundAddresses(endpoint.listenerName());
            Endpoint real = new Endpoint(endpoint.listenerName(), endpoint.host(), addresses.get(0).getPort());
            bound.add(real + " on " + String.join(" and ",
                    addresses.stream().map(ListenerAddresses::text).toList()));
        }
        InetSocketAddress controllerAddress = quorum.boundAddress();
        if (controllerAddress != null) {
            Endpoint listener = config.quorum().controllerListener();
            bound.add(new Endpoint(listener.listenerName(), listener.host(), controllerAddress.getPort())
                    + " (the metadata quorum's) on " + ListenerAddresses.text(controllerAddress));
        }
        return bound;
    }

    /** The controller listener's bound address (its real port when configured with 0); null without one. */
    public synchronized InetSocketAddress controllerListenerAddress() {
        return quorum == null ? null : quorum.boundAddress();
    }

    /** The node's metadata quorum (its Raft role, loader and controller), for tools and tests. */
    public synchronized MetadataQuorum metadataQuorum() {
        return quorum;
    }

    /** The node's request dispatcher: its registered handlers, for tests that drive them without a socket. */
    synchronized BrokerDispatcher dispatcher() {
        return dispatcher;
    }

    public MetadataCache metadataCache() {
        return cache;
    }

    /** The node's logs, for tools and tests; appending here bypasses the produce path. */
    /**
     * The channel that sends transaction markers to partition leaders: made at start, not started (its starter gives
     * it the outcomes' receiver); null before start and after stop.
     */
    public NetworkTransactionMarkerChannel transactionMarkerChannel() {
        return transactionMarkerChannel;
    }

    public LogManager logManager() {
        return logManager;
    }

    /** The Fetch handler; whoever moves a high watermark calls its {@code onPartitionChanged}. */
    public FetchHandler fetchHandler() {
        return fetchHandler;
    }

    /** Stops accepting, finishes requests in flight, then closes controller, metadata log and every log cleanly. */
    public void stop() {
        // Not under the lock at first: a start in progress holds it, and its waits end once they see this.
        startupWaits.requestStop();
        synchronized (this) {
            stopComponents();
            if (ready) {
                ready = false;
                LOG.info("Fjord node {} stopped cleanly", config.nodeId());
            }
        }
    }

    private void stopComponents() {
        StopSteps steps = new StopSteps(config.nodeId());
        // KIP-966: the clean-shutdown markers record this registration, so the next one can claim a clean shutdown.
        long brokerEpoch = lifecycle == null ? -1 : lifecycle.brokerEpoch();
        if (lifecycle != null) {
            // Leaderships move away while the node still serves requests (clients follow them), then heartbeats stop.
            steps.run("the controlled shutdown", () -> {
                try {
                    lifecycle.controlledShutdown(CONTROLLER_WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            steps.run("the broker lifecycle", lifecycle::close);
            lifecycle = null;
        }
        if (fetchHandler != null) {
            fetchHandler.beginShutdown(); // long polls answer now instead of holding the drain below
        }
        if (groupCoordinator != null) {
            groupCoordinator.beginShutdown(); // so do JoinGroups waiting for a rebalance (NOT_COORDINATOR)
        }
        if (transactionCoordinator != null) {
            transactionCoordinator.beginShutdown();
        }
        if (socketServer != null) {
            steps.run("the drain of requests in flight", () -> {
                try {
                    socketServer.shutdown(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (requestHandlers != null) {
            steps.run("the request handlers", requestHandlers::shutdown);
        }
        if (transactionMarkerChannel != null) {
            steps.run("the transaction marker channel", transactionMarkerChannel::close);
            transactionMarkerChannel = null;
        }
        if (fetchHandler != null) {
            steps.run("the fetch handler", fetchHandler::close);
            fetchHandler = null;
        }
        if (coordinatorRequests != null) {
            steps.run("the transaction verification requests", coordinatorRequests::close);
            coordinatorRequests = null;
        }
        if (forwarding != null) {
            steps.run("forwarding to the controller", forwarding::close);
            forwarding = null;
        }
        if (quorum != null) {
            // Controller, Raft driver, then the loader, which publishes into the logs closed next.
            steps.run("the metadata quorum", () -> {
                try {
                    quorum.close();
                } catch (IOException e) {
                    LOG.warn("Closing the metadata quorum: {}", e.getMessage());
                }
            });
        }
        if (replicaFetching != null) {
            steps.run("the replica fetchers", replicaFetching::close);
            replicaFetching = null;
        }
        if (replicaManager != null) {
            steps.run("the replica manager", replicaManager::close);
            replicaManager = null;
        }
        if (groupCoordinator != null) {
            steps.run("the group coordinator", groupCoordinator::close);
            groupCoordinator = null;
        }
        if (transactionCoordinator != null) {
            steps.run("the transaction coordinator", transactionCoordinator::close);
            transactionCoordinator = null;
        }
        if (logManager != null) {
            steps.run("the logs", () -> logManager.shutdown(brokerEpoch));
        }
        socketServer = null;
        controller = null;
        quorum = null;
        logManager = null;
    }

    /** {@code transaction.partition.verification.enable} as the image's dynamic configs set it (default true). */
    private boolean transactionPartitionVerificationEnabled() {
        String value = configs.resolve(cache.image()).brokerValue("transaction.partition.verification.enable");
        return value == null || Boolean.parseBoolean(value.trim());
    }

    @Override
    public void close() {
        stop();
    }
}
