package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.ConsumerGroupConfig;
import io.fjord.broker.coordinator.group.ConsumerGroupSettings;
import io.fjord.broker.coordinator.group.CoordinatorResult;
import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.GroupCoordinatorShard;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.group.TopicMetadataView;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.runtime.CommittedRead;
import io.fjord.broker.coordinator.runtime.CoordinatorLeaderships;
import io.fjord.broker.coordinator.runtime.CoordinatorPartitionWriter;
import io.fjord.broker.coordinator.runtime.CoordinatorRuntime;
import io.fjord.broker.coordinator.runtime.CoordinatorRuntimeConfig;
import io.fjord.broker.coordinator.runtime.CoordinatorWriteErrors;
import io.fjord.broker.coordinator.runtime.LogCoordinatorLoader;
import io.fjord.broker.coordinator.runtime.ShardOperation;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.storage.TopicPartition;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs the {@link GroupCoordinatorShard}s of the {@code __consumer_offsets} partitions this node leads, on the shared
 * {@link CoordinatorRuntime} (thread {@code fjord-group-coordinator}, loads on {@code fjord-group-coordinator-loader}):
 * the group coordinator's record serde, shard factory and settings, and the group APIs' entry points. Writes
 * ({@link #submit}) run on the live shard and are answered once their records, and those written before, are below
 * the high watermark; reads ({@link #read}: OffsetFetch without {@code require_stable}, ConsumerGroupDescribe,
 * DescribeGroups; {@link #readFromAll}: ListGroups) are answered at once from the committed view, the state as of the
 * last committed offset. Topic changes
 * ({@link #onMetadataUpdate}) go to every loaded shard, and to a shard that finishes loading, so KIP-848 groups
 * re-resolve regexes and re-assign.
 *
 * <p>Thread-safe: public methods may be called from any thread; the runtime's thread does the work. {@link #start}
 * starts the threads.
 */
public final class GroupCoordinatorDriver implements CoordinatorLeaderships.Listener, AutoCloseable {

    /** Where the driver finds an offsets partition's log (empty once it is deleted). */
    public interface Logs extends CoordinatorRuntime.Logs {
    }

    private final ConsumerGroupConfig consumerConfig;
    private final OffsetsTopicConfig topicConfig;
    private final CoordinatorRuntime<GroupCoordinatorShard, CoordinatorRecord> runtime;
    private final CoordinatorPartitionWriter writer;
    /** The topics of the latest published metadata image, or null before the first. */
    private volatile TopicMetadataView latestTopics;
    /** Groups whose group configs set their session timeout or heartbeat interval, with their settings. */
    private volatile Map<String, ConsumerGroupConfig> groupSettings = Map.of();

    /** A driver whose consumer groups have Kafka's default settings. */
    public GroupCoordinatorDriver(GroupCoordinatorConfig config, OffsetsTopicConfig topicConfig,
            TopicIdResolver topics, Logs logs, CoordinatorPartitionWriter writer, InstantSource clock) {
        this(config, ConsumerGroupConfig.defaults(), topicConfig, topics, logs, writer, clock);
    }

    /**
     * @param topics the cluster's topics now (read on every OffsetCommit and OffsetFetch); a
     *        {@link TopicMetadataView} also serves a newly loaded shard's consumer groups until
     *        {@link #onMetadataUpdate} gives them a published image
     * @param logs   where a newly led partition is loaded from
     * @param writer where the shards' records are appended, and their high watermarks read, and where transactional
     *        offset commits are verified with their transaction coordinator
     */
    public GroupCoordinatorDriver(GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig,
            OffsetsTopicConfig topicConfig, TopicIdResolver topics, Logs logs, CoordinatorPartitionWriter writer,
            InstantSource clock) {
        this.consumerConfig = consumerConfig;
        this.topicConfig = topicConfig;
        this.writer = writer;
        // Split on the runtime's thread only (shards are made there), so the generator needs no lock.
        SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
        ConsumerGroupSettings settings = this::groupSettings;
        CoordinatorRuntimeConfig runtimeConfig = new CoordinatorRuntimeConfig("Group coordinator",
                "fjord-group-coordinator", OffsetsPartitions.TOPIC, topicConfig.compression(),
                topicConfig.loadBufferSizeBytes(), topicConfig.commitTimeoutMs(),
                CoordinatorRuntimeConfig.UNCOMMITTED_RECORDS_MAX_DEFAULT);
        this.runtime = new CoordinatorRuntime<>(runtimeConfig, GroupRecordSerde.INSTANCE,
                new LogCoordinatorLoader<>(GroupRecordSerde.INSTANCE),
                (partition, leaderEpoch) -> new GroupCoordinatorShard(config, consumerConfig, settings, topics,
                        random.split()),
                this::afterActivate, logs, writer, clock);
    }

    public void start() {
        runtime.start();
    }

    public OffsetsTopicConfig topicConfig() {
        return topicConfig;
    }

    // ---------------------------------------------------------------- leadership and metadata

    /** This node now leads the offsets partition at {@code leaderEpoch}: load it (again, if the epoch changed). */
    public void onElected(int partition, int leaderEpoch) {
        runtime.onElected(partition, leaderEpoch);
    }

    /** This node no longer leads the partition (moved, or the topic was deleted). */
    public void onResigned(int partition) {
        runtime.onResigned(partition);
    }

    /** Topics may have changed since the groups' records were written, or while the partition loaded. */
    private CoordinatorResult afterActivate(GroupCoordinatorShard shard, long nowMs) {
        TopicMetadataView topics = latestTopics;
        return topics == null ? CoordinatorResult.EMPTY : shard.onMetadataUpdate(topics, nowMs);
    }

    /**
     * The cluster's topics changed (created, deleted, more partitions): every loaded shard re-resolves its consumer
     * groups' regexes and re-assigns groups whose subscribed topics changed; shards still loading get the view when
     * they finish.
     */
    public void onMetadataUpdate(TopicMetadataView view) {
        latestTopics = view;
        runtime.scheduleOnAll((shard, nowMs) -> shard.onMetadataUpdate(view, nowMs));
    }

    /**
     * The groups' configs changed (IncrementalAlterConfigs on GROUP resources): KIP-848 groups take their own
     * {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms} from the next heartbeat on.
     *
     * @param groupConfigs every group's overrides (the metadata image's), by group id
     */
    public void onGroupConfigsUpdate(Map<String, Map<String, String>> groupConfigs) {
        Map<String, ConsumerGroupConfig> updated = new HashMap<>();
        groupConfigs.forEach((groupId, overrides) -> {
            Integer sessionMs = intOrNull(overrides.get("consumer.session.timeout.ms"));
            Integer heartbeatMs = intOrNull(overrides.get("consumer.heartbeat.interval.ms"));
            if (sessionMs != null || heartbeatMs != null) {
                updated.put(groupId, consumerConfig.withGroupTimeouts(sessionMs, heartbeatMs));
            }
        });
        groupSettings = Map.copyOf(updated);
    }

    private ConsumerGroupConfig groupSettings(String groupId) {
        return groupSettings.getOrDefault(groupId, consumerConfig);
    }

    private static Integer intOrNull(String value) {
        try {
            return value == null ? null : Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null; // validated when set; an unreadable value leaves the broker's setting
        }
    }

    // ---------------------------------------------------------------- requests

    /**
     * Which offsets partition owns the group: Kafka's hash over the existing topic's partition count, or over
     * {@code offsets.topic.num.partitions} before the topic exists.
     */
    public int partitionFor(String groupId, int existingPartitionCount) {
        return OffsetsPartitions.partitionFor(groupId,
                existingPartitionCount > 0 ? existingPartitionCount : topicConfig.partitionCount());
    }

    /**
     * Runs {@code call} on the shard of {@code partition} as a write. The future completes with the shard's reply once
     * its records (and those written before) are committed, or with {@code errorResponse} of NOT_COORDINATOR
     * (partition not led here), COORDINATOR_LOAD_IN_PROGRESS (still loading) or the error an append failure maps to.
     * Never completes exceptionally.
     */
    public CompletableFuture<ApiMessage> submit(int partition, short apiVersion, String clientId, String clientHost,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return runtime.write(partition, operation(apiVersion, clientId, clientHost, call), errorResponse);
    }

    /**
     * As {@link #submit}, for TxnOffsetCommit (Kafka's transactional write operation): the offsets partition is first
     * verified to be in, or (v5+) added to, {@code transactionalId}'s transaction (KIP-890, the writer's
     * {@link CoordinatorPartitionWriter#startTransactionVerification}; its error is answered as a failed write's);
     * then the call's records are written as {@code producerId}'s transactional batch with the verification's guard (a
     * fenced epoch is INVALID_PRODUCER_EPOCH, a marker written meanwhile INVALID_TXN_STATE) and take effect when its
     * COMMIT marker is written ({@link #completeTransaction}).
     */
    public CompletableFuture<ApiMessage> submitTransactional(int partition, String transactionalId, long producerId,
            short producerEpoch, short apiVersion, String clientId, String clientHost, ShardCall call,
            Function<Errors, ApiMessage> errorResponse) {
        return writer.startTransactionVerification(new TopicPartition(OffsetsPartitions.TOPIC, partition),
                transactionalId, producerId, producerEpoch, apiVersion).thenCompose(verification -> {
                    if (verification.error() != Errors.NONE) {
                        return CompletableFuture.completedFuture(errorResponse.apply(
                                CoordinatorWriteErrors.toClientError(verification.error())));
                    }
                    return runtime.writeTransactional(partition, producerId, producerEpoch, verification.guard(),
                            operation(apiVersion, clientId, clientHost, call), errorResponse);
                });
    }

    /**
     * Ends {@code producerId}'s transaction in the offsets partition (WriteTxnMarkers for {@code __consumer_offsets},
     * Kafka's {@code completeTransaction}): the marker is written in order with the shard's writes and its pending
     * offsets committed or dropped. Completes with NONE once the marker is committed, else the error (see
     * {@link CoordinatorRuntime#completeTransaction}); never exceptionally.
     */
    public CompletableFuture<Errors> completeTransaction(int partition, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit) {
        return runtime.completeTransaction(partition, producerId, producerEpoch, coordinatorEpoch, commit);
    }

    /**
     * Runs {@code call}, which must only read (OffsetFetch, ConsumerGroupDescribe), on the committed view of
     * {@code partition}: answered at once from the state as of the last committed offset, never showing a pending
     * write. Errors as for {@link #submit}.
     */
    public CompletableFuture<ApiMessage> read(int partition, short apiVersion, String clientId, String clientHost,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return runtime.read(partition, operation(apiVersion, clientId, clientHost, call), errorResponse);
    }

    /**
     * As {@link #read}, for a read (DescribeGroups) that also looks at the live shard: which groups exist comes from
     * the committed view, a classic group's rebalance state (in no record) from the live shard, as in Kafka.
     */
    public CompletableFuture<ApiMessage> read(int partition, short apiVersion, String clientId, String clientHost,
            CommittedShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return runtime.read(partition, committedRead(apiVersion, clientId, clientHost, call), errorResponse);
    }

    /**
     * Runs {@code call} as a read on every partition this node leads (ListGroups): one response per partition, in
     * partition order; a partition still loading contributes {@code errorResponse} of COORDINATOR_LOAD_IN_PROGRESS.
     */
    public CompletableFuture<List<ApiMessage>> readFromAll(short apiVersion, String clientId, String clientHost,
            CommittedShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return runtime.readToAll(committedRead(apiVersion, clientId, clientHost, call), errorResponse);
    }

    private static CommittedRead<GroupCoordinatorShard, CoordinatorRecord> committedRead(short apiVersion,
            String clientId, String clientHost, CommittedShardCall call) {
        return (committed, live, requestId, nowMs) -> call.apply(committed, live,
                new RequestContext(requestId, apiVersion, clientId, clientHost), nowMs);
    }

    private static ShardOperation<GroupCoordinatorShard, CoordinatorRecord> operation(short apiVersion,
            String clientId, String clientHost, ShardCall call) {
        return (shard, requestId, nowMs) -> call.apply(shard,
                new RequestContext(requestId, apiVersion, clientId, clientHost), nowMs);
    }

    /**
     * An offsets partition's data or high watermark changed (the replica manager's notice, on any thread): replies
     * it reached are released and the committed view catches up. Notices for other topics are ignored.
     */
    public void onPartitionChanged(TopicPartition topicPartition) {
        runtime.onPartitionChanged(topicPartition);
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Answers every waiting request with NOT_COORDINATOR and refuses new ones, so a node's shutdown does not wait
     * for rebalances; waits (bounded) until done.
     */
    public void beginShutdown() {
        runtime.beginShutdown();
    }

    @Override
    public void close() {
        runtime.close();
    }

    /** Partitions led here and their status, for tests and diagnostics (a snapshot from the runtime's thread). */
    public Map<Integer, String> partitionStatuses() {
        return runtime.partitionStatuses();
    }
}
