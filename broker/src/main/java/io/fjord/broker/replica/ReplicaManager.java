package io.fjord.broker.replica;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.config.TopicConfigs;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.storage.AppendResult;
import io.fjord.storage.LogConfig;
import io.fjord.storage.LogManager;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this node hosts and their replication (Kafka's ReplicaManager): the one metadata publisher for logs,
 * the leader's append path with the requested acks, and the leader's side of follower fetches.
 *
 * <p>Metadata ({@link #publish}): creates the log and the {@link Partition} of every partition with a replica here,
 * applies topic config changes (and the dynamic broker configs underneath them) to its log, and deletes the logs of
 * removed topics and of partitions whose replica set no longer holds this node (KRaft's StopReplica with deletion).
 * For each partition whose state changed: to lead, the fetchers let go of it first
 * ({@link ReplicaFetching#removePartitions}), then {@link Partition#makeLeader}; to follow, {@link Partition#makeFollower}
 * then {@link ReplicaFetching#addPartitions} from the log's end (a partition without a leader is fetched by nobody).
 *
 * <p>Appends ({@link #appendRecords}): acks 0 and 1 answer after the local append; acks -1 refuses with
 * NOT_ENOUGH_REPLICAS while the ISR is below the topic's {@code min.insync.replicas}, else appends and answers once
 * the high watermark passes each batch ({@link DelayedProduce} in the "Produce" purgatory, checked whenever a
 * partition's high watermark moves), or REQUEST_TIMED_OUT at the request's timeout.
 *
 * <p>Transaction markers ({@link #appendTransactionMarkers}, for WriteTxnMarkers) are appended as acks=all produces
 * are, and wait in the same purgatory.
 *
 * <p>Follower fetches ({@link #recordFollowerFetch}) move the followers' positions, which moves high watermarks
 * (completing waiting produces, waking waiting fetches through {@code partitionChanged}) and proposes ISR
 * expansions; a task every {@code replica.lag.time.max.ms / 2} proposes shrinks (Kafka's isr-expiration). ISR changes
 * go to the controller through an {@link AlterPartitionManager}.
 *
 * <p>Threads: {@link #publish} runs on the metadata publishing thread only; the other methods on any thread. The
 * partition map is concurrent; each {@link Partition} guards its own state. {@link #start()} starts the purgatory's
 * reaper, one scheduler thread (ISR expiry, AlterPartition retries, the produce path's add retries) and the pool
 * that runs one publication's become-leader transitions side by side ({@link ParallelTransitions}); the constructor
 * starts none.
 */
public final class ReplicaManager implements MetadataPublisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);
    /** A publication changing at least this many partitions' leadership is logged with its timings. */
    private static final int LOGGED_TRANSITIONS_MIN = 100;

    /**
     * @param replicaLagTimeMaxMs {@code replica.lag.time.max.ms}: a follower not caught up for this long leaves the ISR
     */
    public record Settings(long replicaLagTimeMaxMs, long alterPartitionRetryBackoffMs) {
        public Settings {
            if (replicaLagTimeMaxMs <= 0) {
                throw new IllegalArgumentException("replica.lag.time.max.ms must be positive: "
                        + replicaLagTimeMaxMs);
            }
        }

        public static Settings from(BrokerConfig config) {
            return new Settings(config.longValue("replica.lag.time.max.ms"),
                    AlterPartitionManager.RETRY_BACKOFF_MS_DEFAULT);
        }
    }

    /**
     * One partition's validated batch to append as leader, with its KIP-890 verification guard (null: verification
     * off; {@link VerificationGuard#SENTINEL}: none was needed when the produce arrived).
     */
    public record LeaderAppend(TopicPartition topicPartition, ByteBuffer batch, VerificationGuard verification) {
        public LeaderAppend(TopicPartition topicPartition, ByteBuffer batch) {
            this(topicPartition, batch, null);
        }
    }

    /** One partition's transaction marker to append as leader: it ends {@code producerId}'s transaction there. */
    public record MarkerAppend(TopicPartition topicPartition, long producerId, short producerEpoch,
                               TransactionMarker marker) {
    }

    /** One partition's answer: an error (with a message or null), or the append's result. Immutable. */
    public record AppendOutcome(TopicPartition topicPartition, Errors error, String errorMessage,
                                AppendResult result) {
        static AppendOutcome failed(TopicPartition topicPartition, Errors error, String message) {
            return new AppendOutcome(topicPartition, error, message, null);
        }
    }

    private static final short ACKS_ALL = -1;

    private final Settings settings;
    private final int nodeId;
    private final LogManager logManager;
    private final ImageConfigResolver configs;
    private final ReplicaFetching fetching;
    private final InstantSource clock;
    private final Consumer<TopicPartition> partitionChanged;
    private final Partition.Context partitionContext;
    private final AlterPartitionManager alterPartitions;
    private final DelayedOperationPurgatory<DelayedProduce> producePurgatory;
    private final DelayedOperationPurgatory<DelayedDeleteRecords> deleteRecordsPurgatory;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Become-leader transitions of one publication, side by side (their epoch checkpoints' fsyncs overlap). */
    private final ParallelTransitions leaderTransitions = new ParallelTransitions();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Runs retries and the ISR expiry instead of the own scheduler thread, when given (a simulation). */
    private final TaskScheduler injectedScheduler;
    private final Object schedulerLock = new Object();
    private ScheduledExecutorService scheduler;
    /** Tasks scheduled before {@link #start()}; guarded by {@link #schedulerLock}. */
    private final List<Runnable> scheduledBeforeStart = new ArrayList<>();

    /**
     * @param controller       the channel to the active controller (AlterPartition)
     * @param brokerEpoch      this broker's registration epoch, -1 before it registered
     * @param partitionChanged called after a partition's data or high watermark changed (wakes waiting fetches)
     */
    public ReplicaManager(Settings settings, int nodeId, LogManager logManager, ImageConfigResolver configs,
                          ReplicaFetching fetching, ControllerChannel controller, LongSupplier brokerEpoch,
                          InstantSource clock, Consumer<TopicPartition> partitionChanged) {
        this(settings, nodeId, logManager, configs, fetching, controller, brokerEpoch, clock, partitionChanged, null);
    }

    /**
     * As the other constructor, with the AlterPartition retries run by {@code scheduler} rather than the own
     * scheduler thread; then {@link #start()} is not called, and the caller runs {@link #maybeShrinkIsrs} every
     * {@code replica.lag.time.max.ms / 2} and {@link #advanceClock} for the produce timeouts (a simulation in
     * simulated time does).
     */
    public ReplicaManager(Settings settings, int nodeId, LogManager logManager, ImageConfigResolver configs,
                          ReplicaFetching fetching, ControllerChannel controller, LongSupplier brokerEpoch,
                          InstantSource clock, Consumer<TopicPartition> partitionChanged, TaskScheduler scheduler) {
        this.injectedScheduler = scheduler;
        this.settings = settings;
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.configs = configs;
        this.fetching = fetching;
        this.clock = clock;
        this.partitionChanged = partitionChanged;
        this.producePurgatory = new DelayedOperationPurgatory<>("Produce", clock);
        this.deleteRecordsPurgatory = new DelayedOperationPurgatory<>("DeleteRecords", clock);
        this.alterPartitions = new AlterPartitionManager(nodeId, brokerEpoch, controller, this::schedule,
                settings.alterPartitionRetryBackoffMs());
        Partition.ReplicaEligibility eligibility = new Partition.ReplicaEligibility() {
            @Override
            public boolean isIsrEligible(int brokerId, long fetchBrokerEpoch) {
                return ReplicaManager.this.isIsrEligible(brokerId, fetchBrokerEpoch);
            }

            @Override
            public boolean isAlive(int brokerId) {
                BrokerImage broker = image.brokers().get(brokerId);
                return broker != null && !broker.fenced();
            }
        };
        this.partitionContext = new Partition.Context(nodeId, settings.replicaLagTimeMaxMs(), alterPartitions,
                eligibility, brokerEpoch, clock, this::onHighWatermarkMoved);
    }

    /** Starts the produce purgatory's reaper and the ISR expiry task. */
    public void start() {
        synchronized (schedulerLock) {
            if (scheduler != null) {
                throw new IllegalStateException("already started");
            }
            scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "fjord-replica-manager");
                thread.setDaemon(true);
                return thread;
            });
            long periodMs = Math.max(1, settings.replicaLagTimeMaxMs() / 2);
            scheduler.scheduleAtFixedRate(() -> maybeShrinkIsrs(clock.millis()), periodMs, periodMs,
                    TimeUnit.MILLISECONDS);
            scheduledBeforeStart.forEach(task -> scheduler.execute(task));
            scheduledBeforeStart.clear();
        }
        leaderTransitions.start();
        producePurgatory.start();
        deleteRecordsPurgatory.start();
    }

    /**
     * Runs {@code task} once after {@code delayMs} on the replica manager's scheduler thread (or the injected
     * scheduler); a task scheduled before {@link #start()} runs at the start, one scheduled after the stop never
     * (Kafka's scheduler ignores it too). A {@link TaskScheduler}; its failures are logged.
     */
    public void schedule(Runnable task, long delayMs) {
        if (injectedScheduler != null) {
            injectedScheduler.schedule(task, delayMs);
            return;
        }
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("A replica manager task failed", e);
            }
        };
        synchronized (schedulerLock) {
            if (scheduler == null) {
                scheduledBeforeStart.add(guarded);
            } else if (!scheduler.isShutdown()) {
                scheduler.schedule(guarded, delayMs, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The hosted partition, if any. */
    public Optional<Partition> partition(TopicPartition topicPartition) {
        return Optional.ofNullable(partitions.get(topicPartition));
    }

    /** The log of a hosted partition (leader or follower), for readers. */
    public Optional<PartitionLog> log(TopicPartition topicPartition) {
        return partition(topicPartition).map(Partition::log);
    }

    /** The sender of ISR changes; for tests and metrics. */
    AlterPartitionManager alterPartitions() {
        return alterPartitions;
    }

    // ---- metadata ----

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        publish(previous, current, MetadataChanges.between(previous, current));
    }

    /**
     * Visits only the topics the change touched (created, changed, or with changed configs), all of them only when
     * broker configs changed: an entry costs what it changed, not the number of partitions in the cluster.
     */
    @Override
    public void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        image = current;
        deleteRemovedTopics(previous, changes);
        ConfigResolver resolver = configs.resolve(current);
        boolean brokerConfigsChanged = !changes.changedBrokerConfigs().isEmpty()
                && configs.brokerConfigsChanged(previous, current);
        Set<TopicPartition> toDelete = new LinkedHashSet<>();
        Map<TopicPartition, PartitionChange> toLead = new LinkedHashMap<>();
        Map<TopicPartition, PartitionChange> toFollow = new LinkedHashMap<>();
        for (TopicImage topic : brokerConfigsChanged ? current.topicsById().values() : touched(current, changes)) {
            Map<String, String> overrides = current.topicConfig(topic.name());
            boolean configChanged = brokerConfigsChanged || !previous.topicConfig(topic.name()).equals(overrides);
            TopicImage before = previous.topicsById().get(topic.topicId());
            TopicSettings topicSettings = null;
            int created = 0;
            for (PartitionImage partitionImage : topic.partitions().values()) {
                TopicPartition topicPartition = new TopicPartition(topic.name(), partitionImage.partitionId());
                Partition partition = partitions.get(topicPartition);
                if (!partitionImage.replicas().contains(nodeId)) {
                    if (partition != null || logManager.getLog(topicPartition).isPresent()) {
                        toDelete.add(topicPartition);
                    }
                    continue;
                }
                PartitionImage beforeImage = before == null ? null
                        : before.partitions().get(partitionImage.partitionId());
                if (partition != null && !configChanged && partitionImage.equals(beforeImage)) {
                    continue;
                }
                if (topicSettings == null) {
                    topicSettings = topicSettings(resolver, overrides);
                }
                if (partition == null) {
                    if (logManager.getLog(topicPartition).isEmpty()) {
                        created++;
                    }
                    partition = new Partition(topicPartition,
                            logManager.getOrCreateLog(topicPartition, topicSettings.logConfig()), partitionContext);
                    partitions.put(topicPartition, partition);
                } else if (configChanged) {
                    partition.log().updateConfig(topicSettings.logConfig());
                }
                partition.setMinInsyncReplicas(topicSettings.minInsyncReplicas());
                if (partition.leaderEpoch() < 0 || !partitionImage.equals(beforeImage)) {
                    PartitionChange change = new PartitionChange(partition, partitionImage, topic.topicId());
                    (partitionImage.leader() == nodeId ? toLead : toFollow).put(topicPartition, change);
                }
            }
            if (created > 0) {
                // One line per topic: a new offsets topic alone has 50 partitions.
                LOG.info("Created {} logs for topic {}", created, topic.name());
            }
        }
        stopAndDelete(toDelete);
        long leadNanos = System.nanoTime();
        LeaderTransitionTimes leaderTimes = becomeLeaders(toLead);
        long followNanos = System.nanoTime();
        becomeFollowers(toFollow);
        long doneNanos = System.nanoTime();
        if (toLead.size() + toFollow.size() >= LOGGED_TRANSITIONS_MIN) {
            // A large change (a fenced broker's leaderships): the new leaders serve produces only once this is done.
            LOG.info("Metadata offset {}: became the leader of {} and a follower of {} partitions in {} and {} ms"
                            + " (fetchers let go in {} ms; transitions {} ms in all, the longest {} ms)",
                    current.offset(), toLead.size(), toFollow.size(), (followNanos - leadNanos) / 1_000_000,
                    (doneNanos - followNanos) / 1_000_000, leaderTimes.fetchersNanos() / 1_000_000,
                    leaderTimes.transitionsNanos() / 1_000_000, leaderTimes.longestNanos() / 1_000_000);
        }
    }

    /** Where one publication's become-leader time went: removing the fetchers, and the transitions' own time. */
    private record LeaderTransitionTimes(long fetchersNanos, long transitionsNanos, long longestNanos) {
        static final LeaderTransitionTimes NONE = new LeaderTransitionTimes(0, 0, 0);
    }

    private record PartitionChange(Partition partition, PartitionImage image, UUID topicId) {
    }

    private record TopicSettings(LogConfig logConfig, int minInsyncReplicas) {
    }

    private static TopicSettings topicSettings(ConfigResolver resolver, Map<String, String> overrides) {
        String minInsync = resolver.effectiveTopicConfigs(overrides).get(TopicConfigs.MIN_INSYNC_REPLICAS);
        int minInsyncReplicas;
        try {
            minInsyncReplicas = minInsync == null ? 1 : Integer.parseInt(minInsync);
        } catch (NumberFormatException e) {
            minInsyncReplicas = 1;
        }
        return new TopicSettings(resolver.logConfig(overrides), minInsyncReplicas);
    }

    /** The current topics the change created or changed, or whose config overrides changed. */
    private static Collection<TopicImage> touched(MetadataImage current, MetadataChanges changes) {
        Map<UUID, TopicImage> touched = new LinkedHashMap<>();
        for (UUID topicId : changes.changedTopicIds()) {
            current.topic(topicId).ifPresent(topic -> touched.put(topicId, topic));
        }
        for (String name : changes.changedTopicConfigs()) {
            current.topic(name).ifPresent(topic -> touched.put(topic.topicId(), topic));
        }
        return touched.values();
    }

    private void deleteRemovedTopics(MetadataImage previous, MetadataChanges changes) {
        for (UUID removedTopicId : changes.removedTopicIds()) {
            TopicImage removed = previous.topicsById().get(removedTopicId);
            if (removed == null) {
                continue;
            }
            Set<TopicPartition> hosted = new LinkedHashSet<>();
            for (Integer partition : removed.partitions().keySet()) {
                hosted.add(new TopicPartition(removed.name(), partition));
            }
            stopAndDelete(hosted);
            LOG.info("Deleted the logs of topic {} ({} partitions)", removed.name(), removed.partitions().size());
        }
    }

    /** Stops replicating the partitions and deletes their logs; waiting produces on them fail. */
    private void stopAndDelete(Set<TopicPartition> topicPartitions) {
        if (topicPartitions.isEmpty()) {
            return;
        }
        fetching.removePartitions(topicPartitions);
        for (TopicPartition topicPartition : topicPartitions) {
            partitions.remove(topicPartition);
            logManager.deleteLog(topicPartition);
            producePurgatory.checkAndComplete(topicPartition);
            deleteRecordsPurgatory.checkAndComplete(topicPartition);
        }
    }

    private LeaderTransitionTimes becomeLeaders(Map<TopicPartition, PartitionChange> changes) {
        if (changes.isEmpty()) {
            return LeaderTransitionTimes.NONE;
        }
        long startNanos = System.nanoTime();
        // No fetcher may append to a log this node now appends to as leader.
        fetching.removePartitions(changes.keySet());
        long fetchersNanos = System.nanoTime() - startNanos;
        long nowMs = clock.millis();
        LongAdder transitionsNanos = new LongAdder();
        LongAccumulator longestNanos = new LongAccumulator(Math::max, 0);
        List<Runnable> transitions = new ArrayList<>(changes.size());
        for (PartitionChange change : changes.values()) {
            transitions.add(() -> {
                long transitionStartNanos = System.nanoTime();
                try {
                    change.partition().makeLeader(change.image(), change.topicId(), nowMs);
                } catch (RuntimeException e) {
                    // One partition's storage failure (its epoch checkpoint) must not stop the others' transitions.
                    LOG.error("Cannot make this node the leader of {} in epoch {}",
                            change.partition().topicPartition(), change.image().leaderEpoch(), e);
                }
                long elapsedNanos = System.nanoTime() - transitionStartNanos;
                transitionsNanos.add(elapsedNanos);
                longestNanos.accumulate(elapsedNanos);
            });
        }
        leaderTransitions.runAll(transitions);
        return new LeaderTransitionTimes(fetchersNanos, transitionsNanos.sum(), longestNanos.get());
    }

    private void becomeFollowers(Map<TopicPartition, PartitionChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        Map<TopicPartition, InitialFetchState> toFetch = new LinkedHashMap<>();
        Set<TopicPartition> leaderless = new LinkedHashSet<>();
        for (Map.Entry<TopicPartition, PartitionChange> entry : changes.entrySet()) {
            PartitionChange change = entry.getValue();
            boolean fetchStateChanged = change.partition().makeFollower(change.image(), change.topicId());
            if (change.image().leader() == PartitionImage.NO_LEADER) {
                leaderless.add(entry.getKey());
            } else if (fetchStateChanged) {
                toFetch.put(entry.getKey(), new InitialFetchState(change.topicId(), change.image().leader(),
                        change.image().leaderEpoch(), change.partition().log().logEndOffset()));
            }
            // Produces and DeleteRecords waiting on a former leadership answer NOT_LEADER_OR_FOLLOWER now.
            producePurgatory.checkAndComplete(entry.getKey());
            deleteRecordsPurgatory.checkAndComplete(entry.getKey());
        }
        if (!leaderless.isEmpty()) {
            fetching.removePartitions(leaderless);
        }
        if (!toFetch.isEmpty()) {
            fetching.addPartitions(toFetch);
        }
    }

    /** KIP-841/903: a follower joins an ISR only if registered, unfenced, not shutting down, and of its fetch's epoch. */
    private boolean isIsrEligible(int brokerId, long fetchBrokerEpoch) {
        BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && broker.active()
                && (fetchBrokerEpoch == FollowerState.UNKNOWN_BROKER_EPOCH || broker.brokerEpoch() == fetchBrokerEpoch);
    }

    // ---- appends ----

    /**
     * Appends each partition's validated batch as leader and answers as {@code requiredAcks} asks (0 and 1 at once,
     * -1 once replicated to the ISR or at {@code timeoutMs}). The outcomes are in the order of {@code appends}.
     */
    public CompletableFuture<List<AppendOutcome>> appendRecords(short requiredAcks, long timeoutMs,
                                                                List<LeaderAppend> appends) {
        long nowMs = clock.millis();
        return appendAndAwait(requiredAcks, timeoutMs, appends.size(),
                index -> appendToLeader(appends.get(index), requiredAcks, Partition.ANY_LEADER_EPOCH, nowMs));
    }

    /**
     * Appends each transaction marker as leader with acks=all, as Kafka's WriteTxnMarkers does: refused with
     * NOT_ENOUGH_REPLICAS while the ISR is below {@code min.insync.replicas} (Kafka makes no exception for markers),
     * answered once the high watermark passes the marker (which is when the last stable offset moves past the
     * transaction), or REQUEST_TIMED_OUT at {@code timeoutMs}. A partition this node does not host answers
     * UNKNOWN_TOPIC_OR_PARTITION (Kafka's check for an online partition); one it follows NOT_LEADER_OR_FOLLOWER; a stale
     * producer epoch INVALID_PRODUCER_EPOCH and a stale coordinator epoch TRANSACTION_COORDINATOR_FENCED, nothing
     * appended then. The outcomes are in the order of {@code markers}.
     */
    public CompletableFuture<List<AppendOutcome>> appendTransactionMarkers(long timeoutMs,
                                                                           List<MarkerAppend> markers) {
        long nowMs = clock.millis();
        return appendAndAwait(ACKS_ALL, timeoutMs, markers.size(), index -> appendMarker(markers.get(index), nowMs));
    }

    /**
     * Runs {@code count} appends and answers at once unless {@code requiredAcks} is -1; then the successful ones wait
     * in a {@link DelayedProduce} until the high watermark passes them. Waiting fetches are woken once every
     * partition is appended, as Kafka completes them after the whole request (its action queue): a follower waiting
     * on several of the request's partitions then gets all their batches in one response, not one a round trip.
     */
    private CompletableFuture<List<AppendOutcome>> appendAndAwait(short requiredAcks, long timeoutMs, int count,
                                                                  IntFunction<AppendOutcome> append) {
        List<AppendOutcome> outcomes = new ArrayList<>(count);
        List<DelayedProduce.PartitionStatus> waiting = new ArrayList<>();
        Map<Integer, DelayedProduce.PartitionStatus> waitingByIndex = new LinkedHashMap<>();
        for (int index = 0; index < count; index++) {
            AppendOutcome outcome = append.apply(index);
            // A producer's retry of a batch in the log (duplicate) waits too: its first try may not be replicated.
            if (requiredAcks == ACKS_ALL && outcome.error() == Errors.NONE) {
                DelayedProduce.PartitionStatus status = new DelayedProduce.PartitionStatus(outcome.topicPartition(),
                        outcome.result().lastOffset() + 1);
                waiting.add(status);
                waitingByIndex.put(outcomes.size(), status);
            }
            outcomes.add(outcome);
        }
        outcomes.forEach(this::announceAppended);
        if (waiting.isEmpty()) {
            return CompletableFuture.completedFuture(outcomes);
        }
        CompletableFuture<List<AppendOutcome>> answer = new CompletableFuture<>();
        DelayedProduce delayed = new DelayedProduce(timeoutMs, waiting, this::checkReplication, statuses -> {
            List<AppendOutcome> answered = new ArrayList<>(outcomes);
            waitingByIndex.forEach((index, status) -> {
                if (status.error != Errors.NONE) {
                    answered.set(index, AppendOutcome.failed(status.topicPartition, status.error, null));
                }
            });
            answer.complete(answered);
        });
        List<TopicPartition> keys = waiting.stream().map(status -> status.topicPartition).toList();
        producePurgatory.tryCompleteElseWatch(delayed, keys);
        return answer;
    }

    /**
     * Appends a coordinator's batch as leader in {@code leaderEpoch} and answers at once (Kafka's coordinator partition
     * writer appends with acks 1): the coordinator waits for the high watermark to pass the batch itself, learning of
     * its moves through {@code partitionChanged}. A leader epoch other than the current one fails with
     * FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH, so a stale coordinator never writes into a newer leadership.
     */
    public AppendOutcome appendAsCoordinator(TopicPartition topicPartition, int leaderEpoch, ByteBuffer batch) {
        return appendAsCoordinator(topicPartition, leaderEpoch, batch, null);
    }

    /**
     * As {@link #appendAsCoordinator(TopicPartition, int, ByteBuffer)}, for a producer's transactional batch the
     * coordinator verified (KIP-890) when {@code verification} is not null: a marker written since the verification
     * started voids it (INVALID_TXN_STATE).
     */
    public AppendOutcome appendAsCoordinator(TopicPartition topicPartition, int leaderEpoch, ByteBuffer batch,
                                             VerificationGuard verification) {
        Partition partition = partitions.get(topicPartition);
        if (partition == null) {
            return AppendOutcome.failed(topicPartition, Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        // Kafka's coordinator origin: a producer's batch the coordinator writes has only its epoch checked.
        return appendGuarded(topicPartition, () -> partition.appendAsCoordinator(batch, leaderEpoch, clock.millis(),
                verification));
    }

    /**
     * Appends a transaction marker a coordinator writes into its own partition (a group coordinator ending a
     * producer's transactional offset commits), as {@link #appendAsCoordinator}: acks 1, in {@code leaderEpoch} only;
     * a stale producer epoch is INVALID_PRODUCER_EPOCH, a stale coordinator epoch TRANSACTION_COORDINATOR_FENCED.
     */
    public AppendOutcome appendTransactionMarkerAsCoordinator(TopicPartition topicPartition, int leaderEpoch,
                                                              long producerId, short producerEpoch,
                                                              TransactionMarker marker) {
        Partition partition = partitions.get(topicPartition);
        if (partition == null) {
            return AppendOutcome.failed(topicPartition, Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        return appendGuarded(topicPartition, () -> partition.appendTransactionMarkerAsCoordinator(producerId,
                producerEpoch, marker, leaderEpoch, clock.millis()));
    }

    private AppendOutcome appendToLeader(LeaderAppend append, short requiredAcks, int leaderEpoch, long nowMs) {
        TopicPartition topicPartition = append.topicPartition();
        Partition partition = partitions.get(topicPartition);
        if (partition == null) {
            return AppendOutcome.failed(topicPartition, Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        return appendUnannounced(topicPartition, () -> partition.appendAsLeader(append.batch(), requiredAcks,
                leaderEpoch, nowMs, append.verification()));
    }

    /**
     * Starts verifying {@code producerId}'s transactional batch for a partition led here (KIP-890): the guard its
     * append must bring, or {@link VerificationGuard#SENTINEL} when there is nothing to verify (its transaction is
     * ongoing there) or the partition is not hosted (its append fails anyway). {@code supportsEpochBump}: the producer
     * is on transaction protocol v2, whose previous transaction's marker (at the bumped epoch) leaves the guard live.
     */
    public VerificationGuard startTransactionVerification(TopicPartition topicPartition, long producerId,
                                                          short producerEpoch, boolean supportsEpochBump) {
        Partition partition = partitions.get(topicPartition);
        return partition == null ? VerificationGuard.SENTINEL
                : partition.log().startTransactionVerification(producerId, producerEpoch, supportsEpochBump);
    }

    private AppendOutcome appendMarker(MarkerAppend append, long nowMs) {
        TopicPartition topicPartition = append.topicPartition();
        Partition partition = partitions.get(topicPartition);
        if (partition == null) {
            return AppendOutcome.failed(topicPartition, Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        }
        return appendUnannounced(topicPartition, () -> partition.appendTransactionMarkerAsLeader(
                append.producerId(), append.producerEpoch(), append.marker(), ACKS_ALL, nowMs));
    }

    /** Runs one partition's append, mapping its failure to the partition's Kafka error, and announces it. */
    private AppendOutcome appendGuarded(TopicPartition topicPartition, Supplier<AppendResult> append) {
        AppendOutcome outcome = appendUnannounced(topicPartition, append);
        announceAppended(outcome);
        return outcome;
    }

    /** Wakes what waits on the partition of a successful append of new data (not a duplicate). */
    private void announceAppended(AppendOutcome outcome) {
        if (outcome.error() == Errors.NONE && !outcome.result().duplicate()) {
            // Followers' fetches wait for new data, consumers' for the high watermark (woken when it moves).
            partitionChanged.accept(outcome.topicPartition());
        }
    }

    /** Runs one partition's append, mapping its failure to the partition's Kafka error; wakes nothing. */
    private AppendOutcome appendUnannounced(TopicPartition topicPartition, Supplier<AppendResult> append) {
        try {
            AppendResult result = append.get();
            return new AppendOutcome(topicPartition, Errors.NONE, null, result);
        } catch (ReplicaException e) {
            return AppendOutcome.failed(topicPartition, e.error(), e.getMessage());
        } catch (RecordBatchException e) {
            return AppendOutcome.failed(topicPartition, Errors.valueOf(e.kind().name()), e.getMessage());
        } catch (StorageException e) {
            return AppendOutcome.failed(topicPartition, Errors.KAFKA_STORAGE_ERROR, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure appending to {}", topicPartition, e);
            return AppendOutcome.failed(topicPartition, Errors.UNKNOWN_SERVER_ERROR, null);
        }
    }

    private Partition.ReplicationCheck checkReplication(TopicPartition topicPartition, long requiredOffset) {
        Partition partition = partitions.get(topicPartition);
        if (partition == null) {
            return new Partition.ReplicationCheck(true, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return partition.checkEnoughReplicasReachOffset(requiredOffset);
    }

    private void onHighWatermarkMoved(TopicPartition topicPartition) {
        producePurgatory.checkAndComplete(topicPartition);
        partitionChanged.accept(topicPartition);
    }

    // ---- DeleteRecords ----

    /** One partition's DeleteRecords answer: an error, or NONE with the low watermark. Immutable. */
    public record DeleteRecordsOutcome(Errors error, long lowWatermark) {
    }

    /**
     * Kafka's deleteRecords: moves each partition's log start offset up to its requested offset (-1: the high
     * watermark) as leader, then answers once every live replica's log start offset has reached it (the low watermark,
     * from the followers' fetches; a {@link DelayedDeleteRecords} in the "DeleteRecords" purgatory), or at
     * {@code timeoutMs} with REQUEST_TIMED_OUT for the partitions still waiting.
     */
    public CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleteRecords(
            long timeoutMs, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, DeleteRecordsOutcome> outcomes = new LinkedHashMap<>();
        List<DelayedDeleteRecords.PartitionStatus> waiting = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> entry : offsets.entrySet()) {
            TopicPartition topicPartition = entry.getKey();
            Partition partition = partitions.get(topicPartition);
            try {
                if (partition == null) {
                    throw new ReplicaException(Errors.NOT_LEADER_OR_FOLLOWER, "no replica of " + topicPartition);
                }
                Partition.DeleteRecordsResult result = partition.deleteRecordsOnLeader(entry.getValue());
                outcomes.put(topicPartition, new DeleteRecordsOutcome(Errors.NONE, result.lowWatermark()));
                if (result.lowWatermark() < result.requestedOffset()) {
                    waiting.add(new DelayedDeleteRecords.PartitionStatus(topicPartition, result.requestedOffset(),
                            result.lowWatermark()));
                }
            } catch (ReplicaException e) {
                outcomes.put(topicPartition, new DeleteRecordsOutcome(e.error(), -1));
            } catch (StorageException e) {
                LOG.warn("DeleteRecords on {} failed", topicPartition, e);
                outcomes.put(topicPartition, new DeleteRecordsOutcome(Errors.KAFKA_STORAGE_ERROR, -1));
            }
        }
        if (waiting.isEmpty()) {
            return CompletableFuture.completedFuture(outcomes);
        }
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> answer = new CompletableFuture<>();
        DelayedDeleteRecords delayed = new DelayedDeleteRecords(timeoutMs, waiting, this::lowWatermark, statuses -> {
            Map<TopicPartition, DeleteRecordsOutcome> answered = new LinkedHashMap<>(outcomes);
            statuses.forEach(status -> answered.put(status.topicPartition,
                    new DeleteRecordsOutcome(status.error, status.lowWatermark)));
            answer.complete(answered);
        });
        deleteRecordsPurgatory.tryCompleteElseWatch(delayed,
                waiting.stream().map(status -> status.topicPartition).toList());
        return answer;
    }

    private long lowWatermark(TopicPartition topicPartition) {
        Partition partition = partitions.get(topicPartition);
        if (partition == null) {
            throw new ReplicaException(Errors.NOT_LEADER_OR_FOLLOWER, "no replica of " + topicPartition);
        }
        return partition.lowWatermarkIfLeader();
    }

    // ---- the leader's side of follower fetches ----

    /**
     * Records a follower's fetch of a partition this node leads, served without error: {@code fetchOffset} is the
     * follower's log end offset. Returns whether it was recorded (this node leads, the fetcher is a follower).
     */
    public boolean recordFollowerFetch(int replicaId, long brokerEpoch, TopicPartition topicPartition,
                                       long fetchOffset, long logStartOffset, long nowMs) {
        Partition partition = partitions.get(topicPartition);
        boolean recorded = partition != null && partition.recordFollowerFetch(replicaId, brokerEpoch, fetchOffset,
                logStartOffset, nowMs);
        if (recorded) {
            // The follower's log start offset may have raised the low watermark a DeleteRecords waits for.
            deleteRecordsPurgatory.checkAndComplete(topicPartition);
        }
        return recorded;
    }

    /** Proposes removing the followers that lag too long from the ISRs this node leads (the periodic task). */
    public void maybeShrinkIsrs(long nowMs) {
        for (Partition partition : partitions.values()) {
            try {
                partition.maybeShrinkIsr(nowMs);
            } catch (RuntimeException e) {
                LOG.error("Checking the ISR of {} failed", partition.topicPartition(), e);
            }
        }
    }

    /** Runs the purgatories' timeouts due at {@code nowMs}; for tests and simulations with a manual clock. */
    public void advanceClock(long nowMs) {
        producePurgatory.advanceClock(nowMs);
        deleteRecordsPurgatory.advanceClock(nowMs);
    }

    /** The hosted partitions; a snapshot view for tools. */
    public Collection<Partition> partitions() {
        return List.copyOf(partitions.values());
    }

    /** Stops the scheduler and the purgatory; the fetchers, logs and channel belong to the caller. */
    @Override
    public void close() {
        synchronized (schedulerLock) {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
        }
        leaderTransitions.close();
        producePurgatory.close();
        deleteRecordsPurgatory.close();
    }
}
