package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.coordinator.markers.TransactionMarkerChannel;
import io.fjord.broker.coordinator.runtime.CoordinatorLeaderships;
import io.fjord.broker.coordinator.runtime.CoordinatorPartitionWriter;
import io.fjord.broker.coordinator.runtime.CoordinatorRuntime;
import io.fjord.broker.coordinator.runtime.CoordinatorRuntimeConfig;
import io.fjord.broker.coordinator.runtime.LogCoordinatorLoader;
import io.fjord.broker.coordinator.runtime.ShardOperation;
import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorConfig;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorResult;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorShard;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.records.CompressionType;
import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link TransactionCoordinatorShard}s of the {@code __transaction_state} partitions this node leads, on the
 * shared {@link CoordinatorRuntime} (thread {@code fjord-transaction-coordinator}, loads on
 * {@code fjord-transaction-coordinator-loader}): the transaction log's serde, the shard factory (coordinator epoch =
 * the partition's leader epoch), and the transaction APIs' entry points. A request is a write on the live shard,
 * answered once its records, and those written before, are committed (DescribeTransactions and ListTransactions are
 * reads on the committed view, answered at once); its markers then go to the
 * {@link TransactionMarkerChannel}, whose outcomes come back here ({@link Outcomes}) as events on the shard, which
 * completes the transaction with its last partition. Batches are uncompressed, as Kafka writes the transaction log.
 *
 * <p>Thread-safe: public methods may be called from any thread; the runtime's thread does the work. The marker channel
 * is set once before {@link #start}, which starts the threads.
 */
public final class TransactionCoordinatorDriver implements TransactionMarkerChannel.Outcomes,
        CoordinatorLeaderships.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinatorDriver.class);

    /** Where the driver finds a transaction log partition's log (empty once it is deleted). */
    public interface Logs extends CoordinatorRuntime.Logs {
    }

    private final TransactionStateTopicConfig topicConfig;
    private final IntSupplier existingPartitionCount;
    private final CoordinatorRuntime<TransactionShardAdapter, TransactionRecord> runtime;
    private volatile TransactionMarkerChannel markerChannel;
    /** The leader epoch of each partition led, to abandon its markers when the leadership ends. */
    private final Map<Integer, Integer> ledEpochs = new ConcurrentHashMap<>();
    /** The active shard of each partition loaded here; the runtime's thread's. */
    private final Map<Integer, TransactionCoordinatorShard> activeShards = new HashMap<>();

    /**
     * A read on a partition's committed view, e.g.
     * {@code (view, live, nowMs) -> view.describeCommitted(request, live, nowMs)}; runs on the runtime's thread.
     */
    @FunctionalInterface
    public interface CommittedRead {
        /** @param live the partition's active shard, null if none */
        TransactionCoordinatorResult apply(TransactionCoordinatorShard view, TransactionCoordinatorShard live,
                long nowMs);
    }

    /**
     * @param config                     the coordinator's settings; the {@code transaction.version} level is read
     *                                   from {@code transactionVersion} whenever a shard is loaded
     * @param producerIds                the node's producer ids (thread-safe: shards call it on the runtime's thread)
     * @param existingPartitionCount     partitions of {@code __transaction_state} now, 0 while it does not exist
     * @param offsetsTopicPartitionCount partitions of {@code __consumer_offsets} for AddOffsetsToTxn (the existing
     *                                   topic's, else {@code offsets.topic.num.partitions})
     * @param transactionVersion         the cluster's finalized {@code transaction.version} level
     */
    public TransactionCoordinatorDriver(TransactionCoordinatorConfig config, TransactionStateTopicConfig topicConfig,
            ProducerIdSource producerIds, IntSupplier existingPartitionCount, IntSupplier offsetsTopicPartitionCount,
            Supplier<Short> transactionVersion, Logs logs, CoordinatorPartitionWriter writer, InstantSource clock) {
        this.topicConfig = topicConfig;
        this.existingPartitionCount = existingPartitionCount;
        CoordinatorRuntimeConfig runtimeConfig = new CoordinatorRuntimeConfig("Transaction coordinator",
                "fjord-transaction-coordinator", TransactionStateTopicConfig.TOPIC, CompressionType.NONE,
                topicConfig.loadBufferSizeBytes(), topicConfig.commitTimeoutMs(),
                CoordinatorRuntimeConfig.UNCOMMITTED_RECORDS_MAX_DEFAULT);
        this.runtime = new CoordinatorRuntime<>(runtimeConfig, TransactionLogSerde.INSTANCE,
                new LogCoordinatorLoader<>(TransactionLogSerde.INSTANCE),
                (partition, leaderEpoch) -> new TransactionShardAdapter(new TransactionCoordinatorShard(
                        withTransactionVersion(config, transactionVersion.get()), producerIds, leaderEpoch,
                        offsetsTopicPartitionCount.getAsInt()), leaderEpoch, () -> markerChannel, partition,
                        activeShards),
                (shard, nowMs) -> TransactionShardResult.EMPTY, logs, writer, clock);
    }

    private static TransactionCoordinatorConfig withTransactionVersion(TransactionCoordinatorConfig config,
            short level) {
        return new TransactionCoordinatorConfig(config.transactionMaxTimeoutMs(),
                config.transactionalIdExpirationMs(), config.abortTimedOutTransactionsIntervalMs(),
                config.removeExpiredTransactionalIdsIntervalMs(), level);
    }

    /** The channel markers are sent through; must be set before {@link #start}. */
    public void setMarkerChannel(TransactionMarkerChannel channel) {
        this.markerChannel = channel;
    }

    public void start() {
        if (markerChannel == null) {
            throw new IllegalStateException("the transaction coordinator needs a marker channel");
        }
        runtime.start();
    }

    public TransactionStateTopicConfig topicConfig() {
        return topicConfig;
    }

    // ---------------------------------------------------------------- leadership

    /** This node now leads the partition at {@code leaderEpoch}: load it (again, if the epoch changed). */
    public void onElected(int partition, int leaderEpoch) {
        Integer previous = ledEpochs.put(partition, leaderEpoch);
        if (previous != null && previous != leaderEpoch) {
            markerChannel.removeCoordinatorEpoch(partition, previous); // the new load sends its own markers
        }
        runtime.onElected(partition, leaderEpoch);
    }

    /** This node no longer leads the partition (moved, or the topic was deleted). */
    public void onResigned(int partition) {
        Integer previous = ledEpochs.remove(partition);
        if (previous != null) {
            markerChannel.removeCoordinatorEpoch(partition, previous);
        }
        runtime.onResigned(partition);
    }

    /**
     * A transaction log partition's data or high watermark changed (the replica manager's notice, on any thread):
     * replies and markers it reached are released. Notices for other topics are ignored.
     */
    public void onPartitionChanged(TopicPartition topicPartition) {
        runtime.onPartitionChanged(topicPartition);
    }

    // ---------------------------------------------------------------- requests

    /**
     * Which partition owns the transactional id: Kafka's hash over the existing topic's partition count, or over
     * {@code transaction.state.log.num.partitions} before the topic exists.
     */
    public int partitionFor(String transactionalId) {
        int existing = existingPartitionCount.getAsInt();
        return TransactionStateTopicConfig.partitionFor(transactionalId == null ? "" : transactionalId,
                existing > 0 ? existing : topicConfig.partitionCount());
    }

    /**
     * Runs {@code call} on the shard of {@code partition}. The future completes with the shard's response once its
     * records (and those written before) are committed, or with {@code errorResponse} of NOT_COORDINATOR (partition
     * not led here), COORDINATOR_LOAD_IN_PROGRESS (still loading), COORDINATOR_NOT_AVAILABLE (not committed in time)
     * or the error an append failure maps to. Never completes exceptionally.
     */
    public CompletableFuture<ApiMessage> submit(int partition, TransactionShardCall call,
            Function<Errors, ApiMessage> errorResponse) {
        return runtime.write(partition, operation(call), errorResponse);
    }

    /**
     * Runs {@code read} on the committed view of {@code partition} (DescribeTransactions): answered at once from the
     * state its committed records made, as Kafka answers, never waiting for writes. Errors as {@link #submit}.
     */
    public CompletableFuture<ApiMessage> read(int partition, CommittedRead read,
            Function<Errors, ApiMessage> errorResponse) {
        return runtime.read(partition, (view, requestId, nowMs) -> view.toRuntime(read.apply(view.shard(),
                activeShards.get(partition), nowMs), requestId), errorResponse);
    }

    /**
     * Runs {@code read} on the committed view of every partition elected here (ListTransactions): one response per
     * partition, in partition order; one still loading answers {@code errorResponse} of COORDINATOR_LOAD_IN_PROGRESS,
     * one no longer led (or whose load failed) NOT_COORDINATOR.
     */
    public CompletableFuture<List<ApiMessage>> readFromAll(CommittedRead read,
            Function<Errors, ApiMessage> errorResponse) {
        List<CompletableFuture<ApiMessage>> each = new ArrayList<>();
        for (int partition : new TreeSet<>(ledEpochs.keySet())) {
            each.add(read(partition, read, errorResponse));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(done -> each.stream().map(CompletableFuture::join).toList());
    }

    private static ShardOperation<TransactionShardAdapter, TransactionRecord> operation(TransactionShardCall call) {
        return (adapter, requestId, nowMs) -> adapter.toRuntime(call.apply(adapter.shard(), nowMs), requestId);
    }

    // ---------------------------------------------------------------- marker outcomes (any thread)

    @Override
    public void markerWritten(TransactionMarkers markers, TransactionPartition partition) {
        runtime.scheduleOn(partitionFor(markers.transactionalId()), (adapter, nowMs) -> {
            if (adapter.coordinatorEpoch() != markers.coordinatorEpoch()) {
                return TransactionShardResult.EMPTY; // sent by an earlier leadership; this one sent its own
            }
            return adapter.toRuntime(adapter.shard().markerWritten(markers.transactionalId(), markers.producerId(),
                    markers.producerEpoch(), partition, nowMs), -1);
        });
    }

    @Override
    public void markersAbandoned(TransactionMarkers markers, Errors error) {
        LOG.info("Markers of transactional id {} (producer id {}, epoch {}, coordinator epoch {}) abandoned: {}",
                markers.transactionalId(), markers.producerId(), markers.producerEpoch(),
                markers.coordinatorEpoch(), error);
        if (error != Errors.COORDINATOR_NOT_AVAILABLE) {
            // As Kafka: a newer producer or coordinator epoch ended them; the transaction stays preparing here, and
            // the coordinator that now leads its partition (or this one, loading it again) sends them once more.
            return;
        }
        // The channel was full and took none of them: offered again after a back-off, as long as this leadership
        // lasts and the transaction waits for them (Kafka's channel would have held them until written).
        runtime.scheduleOn(partitionFor(markers.transactionalId()), (adapter, nowMs) -> {
            if (adapter.coordinatorEpoch() != markers.coordinatorEpoch()) {
                return TransactionShardResult.EMPTY;
            }
            return adapter.toRuntime(adapter.shard().markersRefused(markers.transactionalId(), markers.producerId(),
                    markers.producerEpoch(), nowMs), -1);
        });
    }

    // ---------------------------------------------------------------- life cycle

    /** Answers every waiting request with NOT_COORDINATOR and refuses new ones; waits (bounded) until done. */
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
