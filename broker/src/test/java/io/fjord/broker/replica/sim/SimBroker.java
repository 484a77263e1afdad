package io.fjord.broker.replica.sim;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.fetch.FollowerPositions;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.handlers.FetchHandler;
import io.fjord.broker.handlers.ListOffsetsHandler;
import io.fjord.broker.handlers.OffsetForLeaderEpochHandler;
import io.fjord.broker.replica.LeaderEndpoint;
import io.fjord.broker.replica.LeaderEndpoints;
import io.fjord.broker.replica.LogTruncation;
import io.fjord.broker.replica.ReplicaFetcherConfig;
import io.fjord.broker.replica.ReplicaFetcherManager;
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.broker.replica.ReplicationQuota;
import io.fjord.broker.replica.SteppedReplicaFetchers;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RequestDecoder;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.SimulatedCrash;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * One simulated broker process: real logs ({@link LogManager} in its own directory), the production
 * {@link ReplicaManager}, replica fetchers ({@link ReplicaFetcherManager}, stepped by {@link SteppedReplicaFetchers}
 * instead of threads) and the leader's Fetch, OffsetForLeaderEpoch and ListOffsets handlers. Requests between brokers
 * are encoded and decoded with the production codec, and a response's bytes are taken when it is sent (as the
 * socket would), so a later change of the leader's log cannot leak into an answer in flight.
 *
 * <p>A crash closes everything without flushing and cuts each log file somewhere in its unflushed tail (the page
 * cache lost, perhaps mid-batch); a restart opens the directory again (recovery) and registers a new incarnation.
 * As Kafka's broker, it applies metadata only once its registration is in the image it received.
 *
 * <p>Not thread-safe: the simulation's one thread owns it.
 */
final class SimBroker {
    static final String TOPIC = "orders";
    static final long PRODUCE_TIMEOUT_MS = 2_000;
    static final long REQUEST_TIMEOUT_MS = 1_000;
    private static final long NEVER_MS = 86_400_000L;

    private final int id;
    private final Path directory;
    private final SimEvents events;
    private final SimNetwork network;
    private final RandomGenerator random;
    private final ReplicationSimulation simulation;
    private final ReplicaManager.Settings settings;
    private int incarnation;
    private boolean alive;
    private long brokerEpoch = -1;
    private boolean publishing;
    private UUID incarnationId;
    private MetadataImage image = MetadataImage.EMPTY;
    private MetadataCache cache;
    private MetadataPublication publication;
    private LogManager logManager;
    private ReplicaFetcherManager fetcherManager;
    private SteppedReplicaFetchers fetchers;
    private ReplicaManager replicaManager;
    private FetchHandler fetchHandler;
    private final Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);

    SimBroker(int id, Path directory, SimEvents events, SimNetwork network, RandomGenerator random,
            ReplicationSimulation simulation, long replicaLagTimeMaxMs) {
        this.id = id;
        this.directory = directory;
        this.events = events;
        this.network = network;
        this.random = random;
        this.simulation = simulation;
        this.settings = new ReplicaManager.Settings(replicaLagTimeMaxMs, 100);
    }

    int id() {
        return id;
    }

    int incarnation() {
        return incarnation;
    }

    boolean isAlive() {
        return alive;
    }

    ReplicaManager replicaManager() {
        return replicaManager;
    }

    // ---------------------------------------------------------------- lifecycle

    void start() {
        incarnation++;
        alive = true;
        brokerEpoch = -1;
        publishing = false;
        image = MetadataImage.EMPTY;
        incarnationId = new UUID(id, incarnation);
        network.nodeUp(id);
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.ofEntries(
                Map.entry(LogManagerConfig.LOG_DIRS, directory.toString()),
                Map.entry(LogManagerConfig.RETENTION_CHECK_INTERVAL_MS, Long.toString(NEVER_MS)),
                Map.entry(LogManagerConfig.FLUSH_SCHEDULER_INTERVAL_MS, Long.toString(NEVER_MS)),
                Map.entry(LogManagerConfig.FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, Long.toString(NEVER_MS)),
                Map.entry(LogManagerConfig.FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS, Long.toString(NEVER_MS)),
                Map.entry(LogManagerConfig.HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS, Long.toString(NEVER_MS)),
                Map.entry(LogManagerConfig.PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, Long.toString(NEVER_MS)),
                Map.entry(LogManagerConfig.SEGMENT_OPEN_IDLE_MS, Long.toString(NEVER_MS)))), events.clock());
        logManager.startup();
        cache = new MetadataCache(SimController.CLUSTER_ID, id, MetadataImage.EMPTY);
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of(
                "node.id", Integer.toString(id), "process.roles", "broker"))), id);
        // The leader answers at once (no fetch wait): the simulation paces the fetchers itself.
        ReplicaFetcherConfig fetcherConfig = new ReplicaFetcherConfig(1 + random.nextInt(2), 1 + random.nextInt(
                4096), 16 * 1024, 0, 1, 50 + random.nextInt(200), REQUEST_TIMEOUT_MS, 1_000, 1024 * 1024);
        int fetcherIncarnation = incarnation;
        fetcherManager = new ReplicaFetcherManager(id, () -> brokerEpoch, fetcherConfig, logManager::getLog,
                new LeaderEndpoints() {
                    @Override
                    public LeaderEndpoint endpoint(int leaderId, int fetcherIndex) {
                        return new SimLeaderEndpoint(leaderId, fetcherIncarnation);
                    }
                }, partition -> { }, events.clock(), new ReplicationQuota(1, 1000, events.clock()),
                LogTruncation.through(logManager));
        fetchers = new SteppedReplicaFetchers(fetcherManager);
        int managerIncarnation = incarnation;
        replicaManager = new ReplicaManager(settings, id, logManager, configs, fetcherManager,
                this::sendToController, () -> brokerEpoch, events.clock(), this::partitionChanged,
                (task, delayMs) -> events.after(delayMs, "broker " + id + " task", () -> {
                    if (alive && incarnation == managerIncarnation) {
                        task.run();
                    }
                }));
        fetchHandler = FetchHandler.start(cache, replicaManager::log, replicaManager::recordFollowerFetch,
                FetchHandler.Settings.from(BrokerConfig.fromMap(Map.of("node.id", Integer.toString(id),
                        "process.roles", "broker"))), events.clock(), Runnable::run, FollowerPositions.NONE);
        handlers.clear();
        handlers.put(ApiKey.FETCH, fetchHandler);
        handlers.put(ApiKey.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(cache, replicaManager::log));
        handlers.put(ApiKey.LIST_OFFSETS, new ListOffsetsHandler(cache, replicaManager::log,
                topicPartition -> replicaManager.partition(topicPartition)
                        .map(io.fjord.broker.replica.Partition::leaderEpochStartOffset).orElse(-1L), Runnable::run));
        publication = new MetadataPublication(cache, List.of(replicaManager));
        events.note("broker " + id + " started, incarnation " + incarnation + ", logs " + describeLogs());
        register();
        every(10, 40, "fetch", this::stepFetchers);
        every(200, 300, "heartbeat", this::heartbeat);
        every(20, 60, "purgatory", () -> replicaManager.advanceClock(events.nowMs()));
        every(settings.replicaLagTimeMaxMs() / 2, settings.replicaLagTimeMaxMs() / 2, "isr expiry",
                () -> replicaManager.maybeShrinkIsrs(events.nowMs()));
        every(20, 600, "flush", this::flushSome);
        every(200, 1_500, "checkpoint", () -> {
            logManager.checkpointHighWatermarksOnce();
            logManager.checkpointRecoveryPointsOnce();
        });
    }

    /** Runs {@code task} every {@code minMs}-{@code maxMs} while this incarnation lives. */
    private void every(long minMs, long maxMs, String label, Runnable task) {
        int scheduledIncarnation = incarnation;
        long delayMs = minMs + (maxMs > minMs ? random.nextLong(maxMs - minMs + 1) : 0);
        events.after(delayMs, "broker " + id + " " + label, () -> {
            if (alive && incarnation == scheduledIncarnation) {
                task.run();
                every(minMs, maxMs, label, task);
            }
        });
    }

    /**
     * A crash: the process dies without closing anything; after a power loss (not a mere kill) each log also loses
     * a random part of its unflushed tail (the page cache), perhaps mid-batch.
     */
    void crash(boolean powerLoss) {
        Map<Path, Long> cuts = new HashMap<>();
        if (powerLoss) {
            for (PartitionLog log : logManager.allLogs()) {
                cuts.put(log.directory(), keptBytes(log));
            }
        }
        alive = false;
        publishing = false;
        network.nodeDown(id);
        fetcherManager.close();
        replicaManager.close();
        fetchHandler.close();
        SimulatedCrash.crash(logManager);
        cuts.forEach(SimBroker::cutSegment);
        events.note("broker " + id + (powerLoss ? " lost power; kept bytes " + cuts.values() : " killed"));
    }

    /** The bytes a crash keeps: all flushed ones, and a random part of the rest (a torn write is possible). */
    private long keptBytes(PartitionLog log) {
        long flushed = 0;
        long total = 0;
        ByteBuffer bytes = log.readAllFrom(log.logStartOffset());
        while (bytes.remaining() >= 12) {
            long baseOffset = bytes.getLong(bytes.position());
            int size = 12 + bytes.getInt(bytes.position() + 8);
            int lastOffsetDelta = bytes.getInt(bytes.position() + 23);
            if (baseOffset + lastOffsetDelta < log.recoveryPoint()) {
                flushed += size;
            }
            total += size;
            bytes.position(bytes.position() + size);
        }
        if (log.segmentCount() != 1) {
            throw new IllegalStateException("the simulation expects one segment per log: " + log);
        }
        return flushed + random.nextLong(total - flushed + 1);
    }

    private static void cutSegment(Path logDirectory, long keptBytes) {
        try (Stream<Path> files = Files.list(logDirectory)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".log")).toList()) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    if (channel.size() > keptBytes) {
                        channel.truncate(keptBytes);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes cleanly at the end of a run. */
    void stop() {
        if (!alive) {
            return;
        }
        alive = false;
        network.nodeDown(id);
        fetcherManager.close();
        replicaManager.close();
        fetchHandler.close();
        logManager.shutdown();
    }

    private void flushSome() {
        for (PartitionLog log : logManager.allLogs()) {
            if (random.nextBoolean()) {
                log.flush();
            }
        }
    }

    /** Each hosted partition's replication state; for the trace. */
    String describe() {
        if (!alive) {
            return "broker " + id + " down";
        }
        StringBuilder text = new StringBuilder("broker " + id + " epoch " + brokerEpoch + ":");
        for (var partition : replicaManager.partitions()) {
            PartitionLog log = partition.log();
            text.append(' ').append(partition.topicPartition()).append(" leader ").append(partition.leaderId())
                    .append(" epoch ").append(partition.leaderEpoch()).append(" end ").append(log.logEndOffset())
                    .append(" hw ").append(log.highWatermark()).append(" lastEpoch ")
                    .append(log.latestEpoch().orElse(-1)).append(" parked ")
                    .append(fetcherManager.isParked(partition.topicPartition())).append(" fetchedFrom ")
                    .append(fetcherManager.leaders().get(partition.topicPartition()));
            if (partition.isLeader()) {
                text.append(" isr ").append(partition.isrState().isr()).append(" inFlight ")
                        .append(partition.isrState().isInFlight());
                for (int replica = 1; replica <= 5; replica++) {
                    int follower = replica;
                    partition.followerState(replica).ifPresent(state -> text.append(" f").append(follower)
                            .append('=').append(state.logEndOffset()));
                }
            }
            text.append(';');
        }
        return text.toString();
    }

    private String describeLogs() {
        StringBuilder text = new StringBuilder();
        for (PartitionLog log : logManager.allLogs()) {
            text.append(log.topicPartition()).append(" end ").append(log.logEndOffset()).append(" hw ")
                    .append(log.highWatermark()).append(' ');
        }
        return text.toString();
    }

    // ---------------------------------------------------------------- controller

    private void register() {
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(id)
                .setClusterId(SimController.CLUSTER_ID).setIncarnationId(incarnationId).setRack(null)
                .setPreviousBrokerEpoch(-1);
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE).setMaxSupportedVersion((short) 1));
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("broker-" + id).setPort(9092));
        int registeringIncarnation = incarnation;
        network.send(id, SimNetwork.CONTROLLER, "register " + id, () -> {
            var response = simulation.controller().register(request);
            network.send(SimNetwork.CONTROLLER, id, "registered " + id, () -> {
                if (incarnation != registeringIncarnation || brokerEpoch >= 0) {
                    return;
                }
                if (response.errorCode() == Errors.NONE.code()) {
                    brokerEpoch = response.brokerEpoch();
                    receiveImage(simulation.controller().image());
                }
            });
        });
        // Lost, refused (the old incarnation's lease is live) or unanswered: again later.
        events.after(500, "broker " + id + " register retry", () -> {
            if (alive && incarnation == registeringIncarnation && brokerEpoch < 0) {
                register();
            }
        });
    }

    private void heartbeat() {
        if (brokerEpoch < 0) {
            return;
        }
        BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData().setBrokerId(id)
                .setBrokerEpoch(brokerEpoch).setCurrentMetadataOffset(image.offset());
        network.send(id, SimNetwork.CONTROLLER, "heartbeat " + id,
                () -> simulation.controller().heartbeat(request));
    }

    /** AlterPartition through the simulated network; unanswered requests fail at the timeout, as the channel's. */
    private CompletableFuture<ApiMessage> sendToController(ApiKey api, ApiMessage request) {
        CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
        if (api != ApiKey.ALTER_PARTITION) {
            answer.completeExceptionally(new UnsupportedOperationException(api.toString()));
            return answer;
        }
        network.send(id, SimNetwork.CONTROLLER, "AlterPartition " + id, () -> {
            ApiMessage response = simulation.controller().alterPartition(
                    (io.fjord.protocol.message.AlterPartitionRequestData) request);
            network.send(SimNetwork.CONTROLLER, id, "AlterPartition answer " + id, () -> answer.complete(response));
        });
        int sendingIncarnation = incarnation;
        events.after(REQUEST_TIMEOUT_MS, "AlterPartition timeout " + id, () -> {
            if (incarnation == sendingIncarnation && alive) {
                answer.completeExceptionally(new TimeoutException("AlterPartition unanswered"));
            }
        });
        return answer;
    }

    /** A metadata image from the controller: applied if newer, once this incarnation's registration is in it. */
    void receiveImage(MetadataImage latest) {
        if (!alive || latest.offset() <= image.offset() || brokerEpoch < 0) {
            return;
        }
        BrokerImage registration = latest.brokers().get(id);
        if (registration == null || registration.brokerEpoch() != brokerEpoch) {
            return;
        }
        MetadataImage previous = image;
        image = latest;
        publishing = true;
        publication.publish(previous, latest);
    }

    // ---------------------------------------------------------------- replication

    private void stepFetchers() {
        try {
            fetchers.step();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void partitionChanged(TopicPartition partition) {
        fetchHandler.onPartitionChanged(partition);
    }

    /** Serves a request frame (size prefix included) as the socket server would; the answer's bytes, header first. */
    ByteBuffer serve(ByteBuffer frame) {
        DecodedRequest request;
        try {
            ByteBuffer body = frame.duplicate();
            body.getInt();
            request = new RequestDecoder((key, version) -> true).decode(body);
        } catch (RequestParseException e) {
            throw new IllegalStateException(e);
        }
        ApiMessage response = handlers.get(request.apiKey()).handle(null, request).toCompletableFuture().join();
        EncodedResponse encoded = ResponseEncoder.encode(request.apiKey(), request.apiVersion(),
                request.correlationId(), response);
        ByteBuffer bytes = ByteBuffer.allocate(encoded.sizeBytes());
        try {
            for (Object part : encoded.parts()) {
                if (part instanceof ByteBuffer buffer) {
                    bytes.put(buffer.duplicate());
                } else if (part instanceof FileRegionRecords region) {
                    ByteBuffer slice = ByteBuffer.allocate(region.sizeInBytes());
                    long position = region.position();
                    while (slice.hasRemaining()) {
                        int read = region.channel().read(slice, position + slice.position());
                        if (read < 0) {
                            break;
                        }
                    }
                    bytes.put(slice.flip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            encoded.release();
        }
        bytes.flip();
        bytes.getInt();
        return bytes.slice();
    }

    /** Produces with acks=all as the Produce handler would after validation; null answer when not serving yet. */
    void produce(List<ReplicaManager.LeaderAppend> appends, Consumer<List<ReplicaManager.AppendOutcome>> answer) {
        if (!publishing) {
            answer.accept(null);
            return;
        }
        int producingIncarnation = incarnation;
        replicaManager.appendRecords((short) -1, PRODUCE_TIMEOUT_MS, appends).whenComplete((outcomes, failure) -> {
            if (alive && incarnation == producingIncarnation && failure == null) {
                answer.accept(outcomes);
            }
        });
    }

    /**
     * How this broker's fetchers reach a leader: requests encoded, carried by the simulated network, served by the
     * leader's handlers on delivery and answered the same way; an unanswered request fails at the request timeout.
     * OffsetForLeaderEpoch and ListOffsets (asked only to recover from OFFSET_OUT_OF_RANGE, by a caller that waits)
     * are answered at once when the leader is reachable.
     */
    private final class SimLeaderEndpoint implements LeaderEndpoint {
        private final int leaderId;
        private final int ownerIncarnation;
        private final List<CompletableFuture<ApiMessage>> inFlight = new ArrayList<>();
        private int correlationId;
        private boolean closed;

        SimLeaderEndpoint(int leaderId, int ownerIncarnation) {
            this.leaderId = leaderId;
            this.ownerIncarnation = ownerIncarnation;
        }

        @Override
        public CompletableFuture<ApiMessage> send(ApiKey api, RequestBuilder builder) {
            CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
            if (closed) {
                answer.completeExceptionally(new IOException("endpoint closed"));
                return answer;
            }
            short version = KafkaApiVersions.latest(api);
            ByteBuffer frame = RequestEncoder.encode(api, version, correlationId++, "replica-" + id,
                    builder.build(version));
            SimBroker leader = simulation.broker(leaderId);
            if (api != ApiKey.FETCH) {
                if (network.canReach(id, leaderId) && network.canReach(leaderId, id) && leader.isAlive()) {
                    answer.complete(decode(api, version, leader.serve(frame)));
                } else {
                    answer.completeExceptionally(new IOException("leader " + leaderId + " unreachable"));
                }
                return answer;
            }
            inFlight.add(answer);
            network.send(id, leaderId, "fetch " + id + "->" + leaderId, () -> {
                ByteBuffer response = leader.serve(frame);
                network.send(leaderId, id, "fetch answer " + leaderId + "->" + id,
                        () -> answer.complete(decode(api, version, response)));
            });
            events.after(REQUEST_TIMEOUT_MS, "fetch timeout " + id, () -> {
                if (incarnation == ownerIncarnation) {
                    answer.completeExceptionally(new TimeoutException("fetch unanswered"));
                }
            });
            inFlight.removeIf(CompletableFuture::isDone);
            return answer;
        }

        private ApiMessage decode(ApiKey api, short version, ByteBuffer response) {
            try {
                return ResponseDecoder.decode(api, version, response.duplicate());
            } catch (RequestParseException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            closed = true;
            inFlight.forEach(future -> future.completeExceptionally(new IOException("endpoint closed")));
            inFlight.clear();
        }
    }
}
