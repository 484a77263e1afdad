package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.ConsumerGroupConfig;
import io.fjord.broker.coordinator.group.ConsumerGroupSettings;
import io.fjord.broker.coordinator.group.CoordinatorResult;
import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.GroupCoordinatorShard;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.Reply;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.group.TopicMetadataView;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link GroupCoordinatorShard}s of the {@code __consumer_offsets} partitions this node leads. One thread
 * ({@code fjord-group-coordinator}) owns every shard, the requests waiting for replies and the timer: handlers submit
 * a {@link ShardCall} and get a future; the thread runs the call and appends the result's records as one batch through
 * the {@link CoordinatorPartitionWriter} (as leader, in the shard's leader epoch, without waiting for replication).
 * The futures the result's replies answer (a reply may answer a request of an earlier call, e.g. a JoinGroup completed
 * by the rebalance) complete only once the high watermark reaches the offset after the last record the shard had
 * written, as Kafka's coordinator runtime defers its responses: a write's replies wait for their own records, a read's
 * for the writes before it, so no reply reveals state that a new leader might not have ({@link DeferredReplies}).
 * High-watermark moves arrive through {@link #onPartitionChanged} on any thread and are handed to the driver thread.
 * Replies still waiting after {@code offsets.commit.timeout.ms} get COORDINATOR_NOT_AVAILABLE (Kafka's answer to a
 * timed-out write); leadership loss answers them NOT_COORDINATOR.
 *
 * <p>Leadership comes from the metadata ({@link #onElected}, {@link #onResigned}). A newly led partition is loaded on a
 * second thread ({@code fjord-group-loader}) that replays the log into a fresh shard and hands it back; meanwhile its
 * requests are answered COORDINATOR_LOAD_IN_PROGRESS. Requests for partitions not led here get NOT_COORDINATOR. If an
 * append fails, the shard (whose state already includes the records) is dropped and loaded again from the log.
 * Timers: after every event the thread schedules itself for the earliest {@code nextTimerDeadlineMs} of its shards and
 * then calls {@code pollTimers}. Topic changes ({@link #onMetadataUpdate}) go to every loaded shard, and to a shard
 * that finishes loading, so KIP-848 groups re-resolve regexes and re-assign.
 *
 * <p>Thread-safe: public methods may be called from any thread; they enqueue work for the owner thread. {@link #start}
 * starts the threads.
 */
public final class GroupCoordinatorDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorDriver.class);
    /** Pause before loading a partition again after its load failed. */
    private static final long RELOAD_BACKOFF_MS = 1_000;

    /** Where the driver finds an offsets partition's log (empty once it is deleted). */
    public interface Logs {
        Optional<PartitionLog> log(TopicPartition partition);
    }

    private enum Status { LOADING, ACTIVE, FAILED }

    /**
     * A partition this node leads, one object per load: a load that finishes for an object no longer in the map (the
     * partition resigned or loads again) is discarded. Owned by the driver thread.
     */
    private static final class Partition {
        final int index;
        final int leaderEpoch;
        Status status = Status.LOADING;
        GroupCoordinatorShard shard;
        /** The offset after the last record the shard holds (loaded or written): what its next reply waits for. */
        long lastWrittenOffset;
        /** The high watermark of this leadership as the driver last read it; -1 before the first read. */
        long committedOffset = -1;
        final DeferredReplies deferred = new DeferredReplies();

        Partition(int index, int leaderEpoch) {
            this.index = index;
            this.leaderEpoch = leaderEpoch;
        }
    }

    /** A request waiting for the shard's reply. */
    private record Pending(int partition, CompletableFuture<ApiMessage> future,
            Function<Errors, ApiMessage> errorResponse) {
    }

    private final GroupCoordinatorConfig config;
    private final ConsumerGroupConfig consumerConfig;
    private final OffsetsTopicConfig topicConfig;
    private final TopicIdResolver topics;
    private final Logs logs;
    private final CoordinatorPartitionWriter writer;
    private final InstantSource clock;
    private final SplittableRandom random;
    private final LoadSummary loadSummary = new LoadSummary(System::nanoTime);
    /** Offsets partitions whose high watermark may have moved, for the driver thread to read (any thread adds). */
    private final Set<Integer> changedPartitions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean highWatermarkCheckQueued = new AtomicBoolean();

    // Owned by the driver thread.
    private final Map<Integer, Partition> partitions = new TreeMap<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextRequestId;
    private boolean shuttingDown;
    private ScheduledFuture<?> timer;
    private long timerDeadlineMs = Long.MAX_VALUE;
    /** The topics of the latest published metadata image, or null before the first. */
    private TopicMetadataView latestTopics;
    /** Groups whose group configs set their session timeout or heartbeat interval, with their settings. */
    private Map<String, ConsumerGroupConfig> groupSettings = Map.of();
    /** Every shard reads a group's settings here, on the driver thread. */
    private final ConsumerGroupSettings settings = this::groupSettings;

    private volatile ScheduledExecutorService thread;
    private volatile ExecutorService loader;

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
     * @param writer where the shards' records are appended, and their high watermarks read
     */
    public GroupCoordinatorDriver(GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig,
            OffsetsTopicConfig topicConfig, TopicIdResolver topics, Logs logs, CoordinatorPartitionWriter writer,
            InstantSource clock) {
        this.config = config;
        this.consumerConfig = consumerConfig;
        this.topicConfig = topicConfig;
        this.topics = topics;
        this.logs = logs;
        this.writer = writer;
        this.clock = clock;
        this.random = new SplittableRandom(new SecureRandom().nextLong());
    }

    public synchronized void start() {
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "fjord-group-coordinator"));
        loader = Executors.newSingleThreadExecutor(runnable -> daemon(runnable, "fjord-group-loader"));
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread created = new Thread(runnable, name);
        created.setDaemon(true);
        return created;
    }

    public OffsetsTopicConfig topicConfig() {
        return topicConfig;
    }

    // ---------------------------------------------------------------- leadership (from the metadata)

    /** This node now leads the offsets partition at {@code leaderEpoch}: load it (again, if the epoch changed). */
    public void onElected(int partition, int leaderEpoch) {
        loadSummary.expect(); // here, not on the driver thread, so that one publication's loads make one burst
        boolean queued = execute(() -> {
            Partition current = partitions.get(partition);
            if (current != null && current.leaderEpoch == leaderEpoch && current.status != Status.FAILED) {
                loadSummary.skipped();
                return;
            }
            if (current != null) {
                unload(current, Errors.NOT_COORDINATOR);
            }
            beginLoad(partition, leaderEpoch);
        });
        if (!queued) {
            loadSummary.skipped();
        }
    }

    /** This node no longer leads the partition (moved, or the topic was deleted). */
    public void onResigned(int partition) {
        execute(() -> {
            Partition current = partitions.remove(partition);
            if (current != null) {
                unload(current, Errors.NOT_COORDINATOR);
                LOG.info("Group coordinator resigned from {}-{}", OffsetsPartitions.TOPIC, partition);
            }
        });
    }

    private void beginLoad(int index, int leaderEpoch) {
        Partition partition = new Partition(index, leaderEpoch);
        partitions.put(index, partition);
        TopicPartition topicPartition = new TopicPartition(OffsetsPartitions.TOPIC, index);
        GroupCoordinatorShard shard = new GroupCoordinatorShard(config, consumerConfig, settings, topics,
                random.split());
        try {
            loader.execute(() -> {
                long startNanos = System.nanoTime();
                try {
                    PartitionLog log = logs.log(topicPartition).orElseThrow(
                            () -> new StorageException("no log for " + topicPartition));
                    OffsetsPartitionLoader.Loaded loaded = OffsetsPartitionLoader.load(log, shard,
                            topicConfig.loadBufferSizeBytes());
                    LOG.debug("Loaded {} ({} records) in {} ms", topicPartition, loaded.records(),
                            (System.nanoTime() - startNanos) / 1_000_000);
                    loadSummary.loaded(loaded.records());
                    execute(() -> finishLoad(partition, shard, loaded.endOffset()));
                } catch (RuntimeException e) {
                    LOG.error("Cannot load {}; it answers NOT_COORDINATOR until it is loaded", topicPartition, e);
                    loadSummary.failed();
                    execute(() -> failLoad(partition));
                }
            });
        } catch (RejectedExecutionException e) {
            partition.status = Status.FAILED; // shutting down
            loadSummary.skipped();
        }
    }

    private void finishLoad(Partition partition, GroupCoordinatorShard shard, long loadedEndOffset) {
        if (partitions.get(partition.index) != partition || shuttingDown) {
            return; // resigned or re-elected while loading
        }
        partition.shard = shard;
        partition.status = Status.ACTIVE;
        // The log's uncommitted tail is in the shard too (a new leader commits it): replies wait for it.
        partition.lastWrittenOffset = loadedEndOffset;
        advanceCommitted(partition);
        release(partition, shard.activate(clock.millis()));
        if (latestTopics != null && partitions.get(partition.index) == partition) {
            // Topics may have changed since the groups' records were written, or while the partition loaded.
            updateTopics(partition, latestTopics);
        }
    }

    /**
     * The cluster's topics changed (created, deleted, more partitions): every loaded shard re-resolves its consumer
     * groups' regexes and re-assigns groups whose subscribed topics changed; shards still loading get the view when
     * they finish.
     */
    public void onMetadataUpdate(TopicMetadataView view) {
        execute(() -> {
            latestTopics = view;
            for (Partition partition : new ArrayList<>(partitions.values())) {
                if (partition.status == Status.ACTIVE && partitions.get(partition.index) == partition) {
                    updateTopics(partition, view);
                }
            }
        });
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
        Map<String, ConsumerGroupConfig> frozen = Map.copyOf(updated);
        execute(() -> groupSettings = frozen);
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

    private void updateTopics(Partition partition, TopicMetadataView view) {
        CoordinatorResult result;
        try {
            result = partition.shard.onMetadataUpdate(view, clock.millis());
        } catch (RuntimeException e) {
            LOG.error("Group coordinator failed on a metadata update of {}-{}; reloading the partition",
                    OffsetsPartitions.TOPIC, partition.index, e);
            reload(partition);
            return;
        }
        release(partition, result);
    }

    private void failLoad(Partition partition) {
        if (partitions.get(partition.index) != partition) {
            return;
        }
        partition.status = Status.FAILED;
        thread.schedule(guarded(() -> {
            if (partitions.get(partition.index) == partition && !shuttingDown) {
                loadSummary.expect();
                beginLoad(partition.index, partition.leaderEpoch);
            }
        }), RELOAD_BACKOFF_MS, TimeUnit.MILLISECONDS);
    }

    /** Drops the partition's shard: its waiting requests are answered with {@code error}. */
    private void unload(Partition partition, Errors error) {
        if (partition.shard != null && partition.shard.isActive()) {
            CoordinatorResult result = partition.shard.deactivate(clock.millis());
            for (Reply reply : result.replies()) {
                Pending waiting = pending.remove(reply.requestId());
                if (waiting != null) {
                    waiting.future.complete(reply.response());
                }
            }
        }
        partition.shard = null;
        partition.deferred.failAll(error);
        failPending(partition.index, error);
    }

    private void failPending(int partition, Errors error) {
        Iterator<Pending> iterator = pending.values().iterator();
        while (iterator.hasNext()) {
            Pending waiting = iterator.next();
            if (waiting.partition == partition) {
                iterator.remove();
                waiting.future.complete(waiting.errorResponse.apply(error));
            }
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
     * Runs {@code call} on the shard of {@code partition}. The future completes with the shard's reply once its
     * records are durable, or with {@code errorResponse} of NOT_COORDINATOR (partition not led here),
     * COORDINATOR_LOAD_IN_PROGRESS (still loading) or the error an append failure maps to. Never completes
     * exceptionally.
     */
    public CompletableFuture<ApiMessage> submit(int partition, short apiVersion, String clientId, String clientHost,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        CompletableFuture<ApiMessage> future = new CompletableFuture<>();
        boolean queued = execute(() -> run(partition, apiVersion, clientId, clientHost, call, errorResponse, future));
        if (!queued) {
            future.complete(errorResponse.apply(Errors.NOT_COORDINATOR));
        }
        return future;
    }

    /**
     * Runs {@code call} on every partition this node leads (ListGroups): one response per partition, in partition
     * order; a partition still loading contributes {@code errorResponse} of COORDINATOR_LOAD_IN_PROGRESS.
     */
    public CompletableFuture<List<ApiMessage>> submitToAll(short apiVersion, String clientId, String clientHost,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        CompletableFuture<List<ApiMessage>> all = new CompletableFuture<>();
        boolean queued = execute(() -> {
            List<CompletableFuture<ApiMessage>> each = new ArrayList<>();
            for (Partition partition : new ArrayList<>(partitions.values())) {
                if (partition.status == Status.FAILED) {
                    continue;
                }
                CompletableFuture<ApiMessage> future = new CompletableFuture<>();
                run(partition.index, apiVersion, clientId, clientHost, call, errorResponse, future);
                each.add(future);
            }
            CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenRun(() ->
                    all.complete(each.stream().map(CompletableFuture::join).toList()));
        });
        if (!queued) {
            all.complete(List.of());
        }
        return all;
    }

    private void run(int index, short apiVersion, String clientId, String clientHost, ShardCall call,
            Function<Errors, ApiMessage> errorResponse, CompletableFuture<ApiMessage> future) {
        Partition partition = partitions.get(index);
        if (shuttingDown || partition == null || partition.status == Status.FAILED) {
            future.complete(errorResponse.apply(Errors.NOT_COORDINATOR));
            return;
        }
        if (partition.status == Status.LOADING) {
            future.complete(errorResponse.apply(Errors.COORDINATOR_LOAD_IN_PROGRESS));
            return;
        }
        long requestId = nextRequestId++;
        pending.put(requestId, new Pending(index, future, errorResponse));
        CoordinatorResult result;
        try {
            result = call.apply(partition.shard, new RequestContext(requestId, apiVersion, clientId, clientHost),
                    clock.millis());
        } catch (RuntimeException e) {
            LOG.error("Group coordinator failed on a request to {}-{}; reloading the partition",
                    OffsetsPartitions.TOPIC, index, e);
            pending.remove(requestId);
            future.complete(errorResponse.apply(Errors.UNKNOWN_SERVER_ERROR));
            reload(partition); // the shard may be half-changed
            return;
        }
        release(partition, result);
    }

    /**
     * Appends the result's records, then completes the requests its replies answer once the high watermark reaches
     * the shard's last written offset (at once if it has); reschedules the timer.
     */
    private void release(Partition partition, CoordinatorResult result) {
        if (!result.records().isEmpty()) {
            Errors failure = append(partition, result);
            if (failure != Errors.NONE) {
                List<Pending> refused = new ArrayList<>();
                for (Reply reply : result.replies()) {
                    Pending waiting = pending.remove(reply.requestId());
                    if (waiting != null) {
                        refused.add(waiting);
                    }
                }
                reload(partition); // before answering: whoever retries meets the reloading shard
                refused.forEach(waiting -> waiting.future.complete(waiting.errorResponse.apply(failure)));
                return;
            }
        }
        List<DeferredReplies.Reply> replies = new ArrayList<>(result.replies().size());
        for (Reply reply : result.replies()) {
            Pending waiting = pending.remove(reply.requestId());
            if (waiting != null) {
                replies.add(new DeferredReplies.Reply(waiting.future, reply.response(), waiting.errorResponse));
            }
        }
        if (partition.lastWrittenOffset <= partition.committedOffset) {
            replies.forEach(DeferredReplies.Reply::complete);
        } else {
            partition.deferred.add(partition.lastWrittenOffset, clock.millis() + topicConfig.commitTimeoutMs(),
                    replies);
        }
        scheduleTimer();
    }

    /**
     * Writes the records as one batch in the shard's leader epoch; returns NONE or the error their requests get
     * (Kafka's mapping, {@link CoordinatorWriteErrors}).
     */
    private Errors append(Partition partition, CoordinatorResult result) {
        TopicPartition topicPartition = topicPartition(partition.index);
        try {
            ByteBuffer batch = CoordinatorBatches.encode(result.records(), topicConfig.compression(),
                    clock.millis());
            partition.lastWrittenOffset = writer.append(topicPartition, partition.leaderEpoch, batch);
        } catch (CoordinatorPartitionWriter.WriteException e) {
            LOG.warn("Cannot append {} coordinator records to {} in leader epoch {}: {} ({})",
                    result.records().size(), topicPartition, partition.leaderEpoch, e.error(), e.getMessage());
            return CoordinatorWriteErrors.toClientError(e.error());
        } catch (StorageException e) {
            LOG.error("Cannot append to {}", topicPartition, e);
            return Errors.NOT_COORDINATOR; // Kafka's mapping of KAFKA_STORAGE_ERROR for coordinator writes
        } catch (RuntimeException e) {
            LOG.error("Cannot append to {}", topicPartition, e);
            return Errors.UNKNOWN_SERVER_ERROR;
        }
        // With the leader as the whole ISR the append has committed the batch already.
        advanceCommitted(partition);
        return Errors.NONE;
    }

    private static TopicPartition topicPartition(int index) {
        return new TopicPartition(OffsetsPartitions.TOPIC, index);
    }

    // ---------------------------------------------------------------- the high watermark

    /**
     * An offsets partition's data or high watermark changed (the replica manager's notice, on any thread): the driver
     * thread reads its high watermark and releases the replies it reached. Notices are coalesced.
     */
    public void onPartitionChanged(TopicPartition topicPartition) {
        if (!OffsetsPartitions.TOPIC.equals(topicPartition.topic())) {
            return;
        }
        changedPartitions.add(topicPartition.partition());
        if (highWatermarkCheckQueued.compareAndSet(false, true) && !execute(this::checkHighWatermarks)) {
            highWatermarkCheckQueued.set(false);
        }
    }

    private void checkHighWatermarks() {
        highWatermarkCheckQueued.set(false); // first: a notice from now on queues another check
        Iterator<Integer> changed = changedPartitions.iterator();
        while (changed.hasNext()) {
            Partition partition = partitions.get(changed.next());
            changed.remove();
            if (partition != null && partition.status == Status.ACTIVE) {
                advanceCommitted(partition);
            }
        }
    }

    /** Reads the leadership's high watermark and releases the replies it reached. */
    private void advanceCommitted(Partition partition) {
        long highWatermark = writer.highWatermark(topicPartition(partition.index), partition.leaderEpoch);
        if (highWatermark > partition.committedOffset) {
            partition.committedOffset = highWatermark;
            partition.deferred.release(highWatermark);
        }
    }

    /** The shard's state includes records that are not in the log: drop it and load the partition again. */
    private void reload(Partition partition) {
        if (partitions.get(partition.index) != partition) {
            return;
        }
        unload(partition, Errors.NOT_COORDINATOR);
        partitions.remove(partition.index);
        loadSummary.expect();
        beginLoad(partition.index, partition.leaderEpoch);
    }

    // ---------------------------------------------------------------- timers

    private void scheduleTimer() {
        long next = Long.MAX_VALUE;
        for (Partition partition : partitions.values()) {
            if (partition.status == Status.ACTIVE) {
                next = Math.min(next, Math.min(partition.shard.nextTimerDeadlineMs(),
                        partition.deferred.nextDeadlineMs()));
            }
        }
        if (next == Long.MAX_VALUE || next >= timerDeadlineMs || shuttingDown) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerDeadlineMs = next;
        long delayMs = Math.max(0, next - clock.millis());
        timer = thread.schedule(guarded(this::pollTimers), delayMs, TimeUnit.MILLISECONDS);
    }

    private void pollTimers() {
        timer = null;
        timerDeadlineMs = Long.MAX_VALUE;
        if (shuttingDown) {
            return;
        }
        long nowMs = clock.millis();
        for (Partition partition : partitions.values()) {
            if (partition.status == Status.ACTIVE) {
                expireDeferred(partition, nowMs);
            }
        }
        for (Partition partition : new ArrayList<>(partitions.values())) {
            if (partition.status == Status.ACTIVE && partition.shard.nextTimerDeadlineMs() <= nowMs
                    && partitions.get(partition.index) == partition) {
                CoordinatorResult result;
                try {
                    result = partition.shard.pollTimers(nowMs);
                } catch (RuntimeException e) {
                    LOG.error("Group coordinator timers failed on {}-{}; reloading the partition",
                            OffsetsPartitions.TOPIC, partition.index, e);
                    reload(partition);
                    continue;
                }
                release(partition, result);
            }
        }
        scheduleTimer();
    }

    /**
     * Fails the replies whose records did not commit within {@code offsets.commit.timeout.ms} (the ISR is below
     * {@code min.insync.replicas}, or followers lag): Kafka answers a timed-out coordinator write REQUEST_TIMED_OUT,
     * which its group coordinator maps to COORDINATOR_NOT_AVAILABLE. The shard keeps its state, as Kafka's does: the
     * records are in the log and commit later, or a new leader's load decides.
     */
    private void expireDeferred(Partition partition, long nowMs) {
        int failed = partition.deferred.expire(nowMs, CoordinatorWriteErrors.toClientError(Errors.REQUEST_TIMED_OUT));
        if (failed > 0) {
            LOG.warn("{} group coordinator replies on {} timed out waiting for the high watermark ({}) to reach {}",
                    failed, topicPartition(partition.index), partition.committedOffset, partition.lastWrittenOffset);
        }
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Answers every waiting request with NOT_COORDINATOR and refuses new ones, so a node's shutdown does not wait
     * for rebalances; waits (bounded) until done.
     */
    public void beginShutdown() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean queued = execute(() -> {
            shuttingDown = true;
            for (Partition partition : partitions.values()) {
                unload(partition, Errors.NOT_COORDINATOR);
            }
            partitions.clear();
            if (timer != null) {
                timer.cancel(false);
            }
            done.complete(null);
        });
        if (queued) {
            try {
                done.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("Group coordinator did not stop in time", e);
            }
        }
    }

    @Override
    public synchronized void close() {
        beginShutdown();
        for (ExecutorService executor : new ExecutorService[] {loader, thread}) {
            if (executor == null) {
                continue;
            }
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Work for the driver thread that cannot fail silently: a failure is logged; an Error, which the scheduler would
     * keep in the task's future, goes to the thread's uncaught-exception handler (the node's fatal error handler).
     */
    private static Runnable guarded(Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("Group coordinator driver task failed", e);
            } catch (Error e) {
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, e);
            }
        };
    }

    /** Queues work for the driver thread; false once it has stopped. */
    private boolean execute(Runnable work) {
        ScheduledExecutorService owner = thread;
        if (owner == null) {
            return false;
        }
        try {
            owner.execute(guarded(work));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Partitions led here and their status, for tests and diagnostics (a snapshot from the driver thread). */
    public Map<Integer, String> partitionStatuses() {
        CompletableFuture<Map<Integer, String>> snapshot = new CompletableFuture<>();
        if (!execute(() -> {
            Map<Integer, String> statuses = new LinkedHashMap<>();
            partitions.forEach((index, partition) -> statuses.put(index, partition.status.name()));
            snapshot.complete(statuses);
        })) {
            return Map.of();
        }
        return snapshot.join();
    }
}
