package io.fjord.broker.coordinator.runtime;

import io.fjord.broker.coordinator.runtime.LedPartition.Status;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one coordinator's shards (Kafka's coordinator runtime): one {@link CoordinatorShard} per partition of its
 * internal topic that this node leads, all owned by one thread ({@code config.threadName()}), with the requests
 * waiting for replies and the timer. Any coordinator plugs in with its shard type, record type, {@link CoordinatorSerde}
 * and {@link CoordinatorLoader}; the group coordinator is the first, the transaction coordinator the next.
 *
 * <p><b>Writes</b> ({@link #write}) run on the live shard; the result's records are appended as one batch through the
 * {@link CoordinatorPartitionWriter} (as leader, in the shard's leader epoch, without waiting for replication), and
 * the replies are released only once the high watermark reaches the offset after the last record the shard had
 * written ({@link DeferredReplies}); after the commit timeout they get COORDINATOR_NOT_AVAILABLE, on leadership loss
 * NOT_COORDINATOR. A result without records still waits for the writes before it (a heartbeat, a read that must be
 * stable). <b>Reads</b> ({@link #read}, {@link #readToAll}) run on the partition's {@link CommittedView}, a second
 * shard that holds the state as of the last committed offset: they are answered at once, never wait behind writes and
 * never show uncommitted records (a {@link CommittedRead} may also look at the live shard's state that no record
 * holds). High-watermark moves arrive through {@link #onPartitionChanged} on any thread. Transactions in
 * the coordinator's log: {@link #writeTransactional}, {@link #completeTransaction}.
 *
 * <p>Leadership comes from the metadata ({@link #onElected}, {@link #onResigned}). A newly led partition is loaded on a
 * second thread that replays the log into a fresh shard (and its committed part into the view) and hands both back;
 * meanwhile requests are answered COORDINATOR_LOAD_IN_PROGRESS, and requests for partitions not led here
 * NOT_COORDINATOR. If an append fails, the shard (whose state already includes the records) is dropped and loaded
 * again from the log. Timers: after every event the thread schedules itself for the earliest
 * {@code nextTimerDeadlineMs} of its shards and then calls {@code pollTimers}.
 *
 * <p>Thread-safe: public methods may be called from any thread; they enqueue work for the owner thread. {@link #start}
 * starts the threads.
 *
 * @param <S> the shard type
 * @param <R> the coordinator's record type
 */
public final class CoordinatorRuntime<S extends CoordinatorShard<R>, R> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorRuntime.class);
    /** Pause before loading a partition again after its load failed. */
    private static final long RELOAD_BACKOFF_MS = 1_000;

    /** Where the runtime finds a partition's log (empty once it is deleted). */
    public interface Logs {
        Optional<PartitionLog> log(TopicPartition partition);
    }

    /**
     * Makes a shard for a partition led in {@code leaderEpoch} (the transaction coordinator's epoch); called on the
     * runtime's thread, twice per load (live shard and view).
     */
    @FunctionalInterface
    public interface ShardFactory<S> {
        S newShard(int partition, int leaderEpoch);
    }

    /** The producer whose transaction a write's records join, with its KIP-890 guard (null: unchecked). */
    private record TransactionalProducer(long producerId, short producerEpoch, VerificationGuard verification) { }

    /** A request waiting for the shard's reply. */
    private record Pending(int partition, CompletableFuture<ApiMessage> future,
            Function<Errors, ApiMessage> errorResponse) {
    }

    private final CoordinatorRuntimeConfig config;
    private final CoordinatorSerde<R> serde;
    private final CoordinatorLoader<R> loader;
    private final ShardFactory<S> shards;
    private final ShardEvent<S, R> afterActivate;
    private final Logs logs;
    private final CoordinatorPartitionWriter writer;
    private final InstantSource clock;
    private final LoadSummary loadSummary;
    /** Partitions whose high watermark may have moved, for the runtime's thread to read (any thread adds). */
    private final Set<Integer> changedPartitions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean highWatermarkCheckQueued = new AtomicBoolean();

    // Owned by the runtime's thread.
    private final Map<Integer, LedPartition<S, R>> partitions = new TreeMap<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextRequestId;
    private boolean shuttingDown;
    private ScheduledFuture<?> timer;
    private long timerDeadlineMs = Long.MAX_VALUE;

    private volatile ScheduledExecutorService thread;
    private volatile ExecutorService loaderThread;

    /**
     * @param afterActivate run on a shard once it is loaded and activated (the group coordinator hands it the latest
     *        topics), its result released like a request's
     * @param logs          where a newly led partition is loaded from
     * @param writer        where the shards' records are appended, and their high watermarks read
     */
    public CoordinatorRuntime(CoordinatorRuntimeConfig config, CoordinatorSerde<R> serde, CoordinatorLoader<R> loader,
            ShardFactory<S> shards, ShardEvent<S, R> afterActivate, Logs logs, CoordinatorPartitionWriter writer,
            InstantSource clock) {
        this.config = config;
        this.serde = serde;
        this.loader = loader;
        this.shards = shards;
        this.afterActivate = afterActivate;
        this.logs = logs;
        this.writer = writer;
        this.clock = clock;
        this.loadSummary = new LoadSummary(LOG, config.topic() + " partitions", System::nanoTime);
    }

    public synchronized void start() {
        thread = Executors.newSingleThreadScheduledExecutor(
                runnable -> RuntimeThreads.daemon(runnable, config.threadName()));
        loaderThread = Executors.newSingleThreadExecutor(
                runnable -> RuntimeThreads.daemon(runnable, config.threadName() + "-loader"));
    }

    // ---------------------------------------------------------------- leadership (from the metadata)

    /** This node now leads the partition at {@code leaderEpoch}: load it (again, if the epoch changed). */
    public void onElected(int partition, int leaderEpoch) {
        loadSummary.expect(); // here, not on the runtime's thread, so that one publication's loads make one burst
        boolean queued = execute(() -> {
            LedPartition<S, R> current = partitions.get(partition);
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
            LedPartition<S, R> current = partitions.remove(partition);
            if (current != null) {
                unload(current, Errors.NOT_COORDINATOR);
                LOG.info("{} resigned from {}", config.name(), topicPartition(partition));
            }
        });
    }

    private void beginLoad(int index, int leaderEpoch) {
        LedPartition<S, R> partition = new LedPartition<>(index, leaderEpoch);
        partitions.put(index, partition);
        TopicPartition topicPartition = topicPartition(index);
        S shard = shards.newShard(index, leaderEpoch);
        CommittedView<S, R> view = new CommittedView<>(shards.newShard(index, leaderEpoch));
        try {
            loaderThread.execute(() -> {
                long startNanos = System.nanoTime();
                try {
                    PartitionLog log = logs.log(topicPartition).orElseThrow(
                            () -> new StorageException("no log for " + topicPartition));
                    long committedAtStart = log.highWatermark(); // below it every record is committed for good
                    CoordinatorLoader.Loaded loaded = loader.load(log, config.loadBufferSizeBytes(),
                            (batch, nextOffset) -> {
                                batch.replayInto(shard);
                                view.append(batch, nextOffset, committedAtStart);
                            });
                    LOG.debug("Loaded {} ({} records) in {} ms", topicPartition, loaded.records(),
                            (System.nanoTime() - startNanos) / 1_000_000);
                    loadSummary.loaded(loaded.records());
                    execute(() -> finishLoad(partition, shard, view, loaded.endOffset()));
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

    private void finishLoad(LedPartition<S, R> partition, S shard, CommittedView<S, R> view, long loadedEndOffset) {
        if (partitions.get(partition.index) != partition || shuttingDown) {
            return; // resigned or re-elected while loading
        }
        partition.shard = shard;
        partition.view = view;
        partition.status = Status.ACTIVE;
        // The log's uncommitted tail is in the shard too (a new leader commits it): replies wait for it.
        partition.lastWrittenOffset = loadedEndOffset;
        advanceCommitted(partition);
        release(partition, shard.activate(clock.millis()), null);
        if (partitions.get(partition.index) == partition) {
            runEvent(partition, afterActivate);
        }
    }

    private void failLoad(LedPartition<S, R> partition) {
        if (partitions.get(partition.index) != partition) {
            return;
        }
        partition.status = Status.FAILED;
        thread.schedule(RuntimeThreads.guarded(() -> {
            if (partitions.get(partition.index) == partition && !shuttingDown) {
                loadSummary.expect();
                beginLoad(partition.index, partition.leaderEpoch);
            }
        }), RELOAD_BACKOFF_MS, TimeUnit.MILLISECONDS);
    }

    /** Drops the partition's shard and view: its waiting requests are answered with {@code error}. */
    private void unload(LedPartition<S, R> partition, Errors error) {
        if (partition.shard != null && partition.shard.isActive()) {
            ShardResult<R> result = partition.shard.deactivate(clock.millis());
            for (ShardReply reply : result.replies()) {
                Pending waiting = pending.remove(reply.requestId());
                if (waiting != null) {
                    waiting.future.complete(reply.response());
                }
            }
        }
        partition.shard = null;
        partition.view = null;
        partition.deferred.failAll(error);
        partition.afterCommit.clear(); // the next leader's activation names again what must still be done
        Iterator<Pending> iterator = pending.values().iterator();
        while (iterator.hasNext()) {
            Pending waiting = iterator.next();
            if (waiting.partition == partition.index) {
                iterator.remove();
                waiting.future.complete(waiting.errorResponse.apply(error));
            }
        }
    }

    // ---------------------------------------------------------------- requests

    /**
     * Runs a write on the live shard of {@code partition}. The future completes with the shard's reply once its
     * records (and those written before) are committed, or with {@code errorResponse} of NOT_COORDINATOR (partition
     * not led here), COORDINATOR_LOAD_IN_PROGRESS (still loading), COORDINATOR_NOT_AVAILABLE (too much uncommitted,
     * or the commit timed out) or the error an append failure maps to. Never completes exceptionally.
     */
    public CompletableFuture<ApiMessage> write(int partition, ShardOperation<S, R> operation,
            Function<Errors, ApiMessage> errorResponse) {
        CompletableFuture<ApiMessage> future = new CompletableFuture<>();
        if (!execute(() -> runWrite(partition, operation, errorResponse, future, null))) {
            future.complete(errorResponse.apply(Errors.NOT_COORDINATOR));
        }
        return future;
    }

    /**
     * As {@link #write}, as {@code producerId}'s transactional batch (TxnOffsetCommit; a stale epoch is
     * INVALID_PRODUCER_EPOCH, a {@code verification} guard no longer live INVALID_TXN_STATE), pending until its marker.
     */
    public CompletableFuture<ApiMessage> writeTransactional(int partition, long producerId, short producerEpoch,
            VerificationGuard verification, ShardOperation<S, R> operation,
            Function<Errors, ApiMessage> errorResponse) {
        CompletableFuture<ApiMessage> future = new CompletableFuture<>();
        TransactionalProducer producer = new TransactionalProducer(producerId, producerEpoch, verification);
        if (!execute(() -> runWrite(partition, operation, errorResponse, future, producer))) {
            future.complete(errorResponse.apply(Errors.NOT_COORDINATOR));
        }
        return future;
    }

    /**
     * Ends {@code producerId}'s transaction in {@code partition} (Kafka's transaction completion, for WriteTxnMarkers):
     * writes the marker in order with the shard's writes, then applies it to the shard and, once committed, to the
     * view. Completes with NONE once committed, else errors as for {@link #write}, or INVALID_PRODUCER_EPOCH or
     * TRANSACTION_COORDINATOR_FENCED (the partition refused the marker). Never completes exceptionally.
     */
    public CompletableFuture<Errors> completeTransaction(int partition, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit) {
        CompletableFuture<Errors> future = new CompletableFuture<>();
        if (!execute(() -> runCompletion(partition, producerId, producerEpoch, coordinatorEpoch, commit, future))) {
            future.complete(Errors.NOT_COORDINATOR);
        }
        return future;
    }

    /**
     * Runs a read on the committed view of {@code partition}: answered at once from the state as of the last
     * committed offset, whatever writes are pending. The operation must answer its request in its result and write
     * nothing. Errors as for {@link #write}. Never completes exceptionally.
     */
    public CompletableFuture<ApiMessage> read(int partition, ShardOperation<S, R> operation,
            Function<Errors, ApiMessage> errorResponse) {
        return read(partition, (committed, live, requestId, nowMs) -> operation.apply(committed, requestId, nowMs),
                errorResponse);
    }

    /** As {@link #read}, for a read that also looks at the live shard (which it must not change). */
    public CompletableFuture<ApiMessage> read(int partition, CommittedRead<S, R> read,
            Function<Errors, ApiMessage> errorResponse) {
        CompletableFuture<ApiMessage> future = new CompletableFuture<>();
        if (!execute(() -> runRead(partition, read, errorResponse, future))) {
            future.complete(errorResponse.apply(Errors.NOT_COORDINATOR));
        }
        return future;
    }

    /**
     * Runs a write on every partition this node leads (ListTransactions): one response per partition, in partition
     * order; a partition still loading contributes {@code errorResponse} of COORDINATOR_LOAD_IN_PROGRESS.
     */
    public CompletableFuture<List<ApiMessage>> writeToAll(ShardOperation<S, R> operation,
            Function<Errors, ApiMessage> errorResponse) {
        return onAll((index, future) -> runWrite(index, operation, errorResponse, future, null));
    }

    /** As {@link #writeToAll}, for a read (ListGroups) answered at once from each partition's committed view. */
    public CompletableFuture<List<ApiMessage>> readToAll(CommittedRead<S, R> read,
            Function<Errors, ApiMessage> errorResponse) {
        return onAll((index, future) -> runRead(index, read, errorResponse, future));
    }

    private CompletableFuture<List<ApiMessage>> onAll(BiConsumer<Integer, CompletableFuture<ApiMessage>> run) {
        CompletableFuture<List<ApiMessage>> all = new CompletableFuture<>();
        boolean queued = execute(() -> {
            List<CompletableFuture<ApiMessage>> each = new ArrayList<>();
            for (LedPartition<S, R> partition : new ArrayList<>(partitions.values())) {
                if (partition.status != Status.FAILED) {
                    CompletableFuture<ApiMessage> future = new CompletableFuture<>();
                    run.accept(partition.index, future);
                    each.add(future);
                }
            }
            CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenRun(() ->
                    all.complete(each.stream().map(CompletableFuture::join).toList()));
        });
        if (!queued) {
            all.complete(List.of());
        }
        return all;
    }

    /** Runs {@code event} on every loaded shard (new cluster metadata, say), releasing its records like a request's. */
    public void scheduleOnAll(ShardEvent<S, R> event) {
        execute(() -> {
            for (LedPartition<S, R> partition : new ArrayList<>(partitions.values())) {
                if (partition.status == Status.ACTIVE && partitions.get(partition.index) == partition) {
                    runEvent(partition, event);
                }
            }
        });
    }

    /**
     * Runs {@code event} on the shard of {@code partition} if it is loaded here (an outcome reported for one of its
     * transactions, say), releasing its records like a request's; dropped otherwise.
     */
    public void scheduleOn(int partition, ShardEvent<S, R> event) {
        execute(() -> {
            LedPartition<S, R> current = partitions.get(partition);
            if (current != null && current.status == Status.ACTIVE) {
                runEvent(current, event);
            }
        });
    }

    /** The partition if it can take a request now; otherwise answers the request and returns null. */
    private LedPartition<S, R> available(int index, Function<Errors, ApiMessage> errorResponse,
            CompletableFuture<ApiMessage> future) {
        return available(index, error -> future.complete(errorResponse.apply(error)));
    }

    private LedPartition<S, R> available(int index, Consumer<Errors> refuse) {
        LedPartition<S, R> partition = partitions.get(index);
        if (shuttingDown || partition == null || partition.status == Status.FAILED) {
            refuse.accept(Errors.NOT_COORDINATOR);
            return null;
        }
        if (partition.status == Status.LOADING) {
            refuse.accept(Errors.COORDINATOR_LOAD_IN_PROGRESS);
            return null;
        }
        return partition;
    }

    private void runWrite(int index, ShardOperation<S, R> operation, Function<Errors, ApiMessage> errorResponse,
            CompletableFuture<ApiMessage> future, TransactionalProducer producer) {
        LedPartition<S, R> partition = available(index, errorResponse, future);
        if (partition == null) {
            return;
        }
        if (partition.view.uncommittedRecords() >= config.uncommittedRecordsMax()) {
            future.complete(errorResponse.apply(Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        long requestId = nextRequestId++;
        pending.put(requestId, new Pending(index, future, errorResponse));
        ShardResult<R> result;
        try {
            result = operation.apply(partition.shard, requestId, clock.millis());
        } catch (RuntimeException e) {
            LOG.error("{} failed on a request to {}; reloading the partition", config.name(), topicPartition(index),
                    e);
            pending.remove(requestId);
            future.complete(errorResponse.apply(Errors.UNKNOWN_SERVER_ERROR));
            reload(partition); // the shard may be half-changed
            return;
        }
        release(partition, result, producer);
    }

    private void runCompletion(int index, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
            CompletableFuture<Errors> future) {
        LedPartition<S, R> partition = available(index, future::complete);
        if (partition == null || partition.view.uncommittedRecords() >= config.uncommittedRecordsMax()) {
            future.complete(Errors.COORDINATOR_NOT_AVAILABLE); // no-op when refused above
            return;
        }
        TopicPartition topicPartition = topicPartition(index);
        try {
            // Written before it is applied: a refused marker (fenced producer or coordinator) changes nothing.
            partition.lastWrittenOffset = writer.appendEndTransactionMarker(topicPartition, partition.leaderEpoch,
                    producerId, producerEpoch, coordinatorEpoch, commit);
        } catch (CoordinatorPartitionWriter.WriteException e) {
            LOG.warn("Cannot write a marker of producer {} to {}: {} ({})", producerId, topicPartition, e.error(),
                    e.getMessage());
            future.complete(CoordinatorWriteErrors.toClientError(e.error()));
            return;
        } catch (RuntimeException e) {
            LOG.error("Cannot write a transaction marker to {}", topicPartition, e);
            future.complete(e instanceof StorageException ? Errors.NOT_COORDINATOR : Errors.UNKNOWN_SERVER_ERROR);
            return;
        }
        try {
            partition.shard.replayEndTransaction(producerId, producerEpoch, commit);
        } catch (RuntimeException e) {
            LOG.error("{} failed on a marker of {}; reloading the partition", config.name(), topicPartition, e);
            future.complete(Errors.UNKNOWN_SERVER_ERROR);
            reload(partition);
            return;
        }
        partition.view.append(CoordinatorBatch.endTransaction(producerId, producerEpoch, commit),
                partition.lastWrittenOffset, partition.committedOffset);
        advanceCommitted(partition);
        DeferredReplies.Reply reply = new DeferredReplies.Reply(() -> future.complete(Errors.NONE), future::complete);
        if (partition.lastWrittenOffset <= partition.committedOffset) {
            reply.complete();
        } else {
            partition.deferred.add(partition.lastWrittenOffset, clock.millis() + config.commitTimeoutMs(),
                    List.of(reply));
        }
        scheduleTimer();
    }

    private void runRead(int index, CommittedRead<S, R> read, Function<Errors, ApiMessage> errorResponse,
            CompletableFuture<ApiMessage> future) {
        LedPartition<S, R> partition = available(index, errorResponse, future);
        if (partition == null) {
            return;
        }
        long requestId = nextRequestId++;
        ShardResult<R> result;
        try {
            result = read.apply(partition.view.shard(), partition.shard, requestId, clock.millis());
        } catch (RuntimeException e) {
            LOG.error("{} failed on a read of {}", config.name(), topicPartition(index), e);
            future.complete(errorResponse.apply(Errors.UNKNOWN_SERVER_ERROR));
            return;
        }
        if (!result.records().isEmpty()) {
            // A read that changed the view would make it differ from the log: rebuild both.
            LOG.error("{} read of {} produced records; reloading the partition", config.name(), topicPartition(index));
            future.complete(errorResponse.apply(Errors.UNKNOWN_SERVER_ERROR));
            reload(partition);
            return;
        }
        for (ShardReply reply : result.replies()) {
            if (reply.requestId() == requestId) {
                future.complete(reply.response());
                return;
            }
        }
        LOG.error("{} read of {} gave no answer", config.name(), topicPartition(index));
        future.complete(errorResponse.apply(Errors.UNKNOWN_SERVER_ERROR));
    }

    private void runEvent(LedPartition<S, R> partition, ShardEvent<S, R> event) {
        ShardResult<R> result;
        try {
            result = event.apply(partition.shard, clock.millis());
        } catch (RuntimeException e) {
            LOG.error("{} failed on {}; reloading the partition", config.name(), topicPartition(partition.index), e);
            reload(partition);
            return;
        }
        release(partition, result, null);
    }

    /**
     * Appends the result's records, then completes the requests its replies answer once the high watermark reaches
     * the shard's last written offset (at once if it has); reschedules the timer.
     */
    private void release(LedPartition<S, R> partition, ShardResult<R> result, TransactionalProducer producer) {
        if (!result.records().isEmpty()) {
            Errors failure = append(partition, result.records(), producer);
            if (failure != Errors.NONE) {
                List<Pending> refused = new ArrayList<>();
                for (ShardReply reply : result.replies()) {
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
        for (ShardReply reply : result.replies()) {
            Pending waiting = pending.remove(reply.requestId());
            if (waiting != null) {
                replies.add(DeferredReplies.Reply.of(waiting.future, reply.response(), waiting.errorResponse));
            }
        }
        if (partition.lastWrittenOffset <= partition.committedOffset) {
            replies.forEach(DeferredReplies.Reply::complete);
            runAll(result.afterCommit());
        } else {
            partition.deferred.add(partition.lastWrittenOffset, clock.millis() + config.commitTimeoutMs(), replies);
            if (!result.afterCommit().isEmpty()) {
                // Never expires: records past the commit timeout are still in the log and may commit later.
                partition.afterCommit.addLast(new LedPartition.AfterCommit(partition.lastWrittenOffset,
                        List.copyOf(result.afterCommit())));
            }
        }
        scheduleTimer();
    }

    /**
     * Writes the records as one batch in the shard's leader epoch and hands them to the committed view; returns NONE
     * or the error their requests get (Kafka's mapping, {@link CoordinatorWriteErrors}).
     */
    private Errors append(LedPartition<S, R> partition, List<R> records, TransactionalProducer producer) {
        TopicPartition topicPartition = topicPartition(partition.index);
        try {
            partition.lastWrittenOffset = producer == null ? writer.append(topicPartition, partition.leaderEpoch,
                    CoordinatorBatches.encode(serde, records, config.compression(), clock.millis()))
                    : writer.appendTransactional(topicPartition, partition.leaderEpoch, CoordinatorBatches
                            .encodeTransactional(serde, records, config.compression(), producer.producerId(),
                                    producer.producerEpoch(), clock.millis()), producer.verification());
        } catch (CoordinatorPartitionWriter.WriteException e) {
            LOG.warn("Cannot append {} coordinator records to {} in leader epoch {}: {} ({})", records.size(),
                    topicPartition, partition.leaderEpoch, e.error(), e.getMessage());
            return CoordinatorWriteErrors.toClientError(e.error());
        } catch (StorageException e) {
            LOG.error("Cannot append to {}", topicPartition, e);
            return Errors.NOT_COORDINATOR; // Kafka's mapping of KAFKA_STORAGE_ERROR for coordinator writes
        } catch (RuntimeException e) {
            LOG.error("Cannot append to {}", topicPartition, e);
            return Errors.UNKNOWN_SERVER_ERROR;
        }
        partition.view.append(producer == null ? CoordinatorBatch.plain(records)
                : CoordinatorBatch.transactional(records, producer.producerId(), producer.producerEpoch()),
                partition.lastWrittenOffset, partition.committedOffset);
        // With the leader as the whole ISR the append has committed the batch already.
        advanceCommitted(partition);
        return Errors.NONE;
    }

    private TopicPartition topicPartition(int index) {
        return new TopicPartition(config.topic(), index);
    }

    // ---------------------------------------------------------------- the high watermark

    /**
     * A partition's data or high watermark changed (the replica manager's notice, on any thread): the runtime's thread
     * reads its high watermark, brings the committed view up to it and releases the replies it reached. Notices for
     * other topics are ignored; notices are coalesced.
     */
    public void onPartitionChanged(TopicPartition topicPartition) {
        if (!config.topic().equals(topicPartition.topic())) {
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
            LedPartition<S, R> partition = partitions.get(changed.next());
            changed.remove();
            if (partition != null && partition.status == Status.ACTIVE) {
                advanceCommitted(partition);
            }
        }
    }

    /**
     * Reads the leadership's high watermark; the committed view first applies what it reached, then the replies it
     * reached are released, so a client that saw its write answered reads it back.
     */
    private void advanceCommitted(LedPartition<S, R> partition) {
        long highWatermark = writer.highWatermark(topicPartition(partition.index), partition.leaderEpoch);
        if (highWatermark > partition.committedOffset) {
            partition.committedOffset = highWatermark;
            partition.view.advanceTo(highWatermark);
            partition.deferred.release(highWatermark);
            while (!partition.afterCommit.isEmpty()
                    && partition.afterCommit.peekFirst().requiredOffset() <= highWatermark) {
                runAll(partition.afterCommit.pollFirst().work());
            }
        }
    }

    private void runAll(List<Runnable> work) {
        for (Runnable each : work) {
            try {
                each.run();
            } catch (RuntimeException e) {
                LOG.error("{} failed on work after a commit", config.name(), e);
            }
        }
    }

    /** The shard's state includes records that are not in the log: drop it and load the partition again. */
    private void reload(LedPartition<S, R> partition) {
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
        for (LedPartition<S, R> partition : partitions.values()) {
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
        timer = thread.schedule(RuntimeThreads.guarded(this::pollTimers), delayMs, TimeUnit.MILLISECONDS);
    }

    private void pollTimers() {
        timer = null;
        timerDeadlineMs = Long.MAX_VALUE;
        if (shuttingDown) {
            return;
        }
        long nowMs = clock.millis();
        for (LedPartition<S, R> partition : partitions.values()) {
            if (partition.status == Status.ACTIVE) {
                expireDeferred(partition, nowMs);
            }
        }
        for (LedPartition<S, R> partition : new ArrayList<>(partitions.values())) {
            if (partition.status == Status.ACTIVE && partition.shard.nextTimerDeadlineMs() <= nowMs
                    && partitions.get(partition.index) == partition) {
                runEvent(partition, (shard, now) -> shard.pollTimers(now));
            }
        }
        scheduleTimer();
    }

    /**
     * Fails the replies whose records did not commit within the commit timeout (the ISR is below
     * {@code min.insync.replicas}, or followers lag): Kafka answers a timed-out coordinator write REQUEST_TIMED_OUT,
     * which its coordinators map to COORDINATOR_NOT_AVAILABLE. The shard keeps its state, as Kafka's does: the records
     * are in the log and commit later, or a new leader's load decides.
     */
    private void expireDeferred(LedPartition<S, R> partition, long nowMs) {
        int failed = partition.deferred.expire(nowMs, CoordinatorWriteErrors.toClientError(Errors.REQUEST_TIMED_OUT));
        if (failed > 0) {
            LOG.warn("{} {} replies on {} timed out waiting for the high watermark ({}) to reach {}", failed,
                    config.name(), topicPartition(partition.index), partition.committedOffset,
                    partition.lastWrittenOffset);
        }
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Answers every waiting request with NOT_COORDINATOR and refuses new ones, so a node's shutdown does not wait
     * for requests a shard holds; waits (bounded) until done.
     */
    public void beginShutdown() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean queued = execute(() -> {
            shuttingDown = true;
            for (LedPartition<S, R> partition : partitions.values()) {
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
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("{} did not stop in time", config.name(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        beginShutdown();
        RuntimeThreads.stop(loaderThread, thread);
    }

    /** Queues work for the runtime's thread; false once it has stopped (or before it started). */
    private boolean execute(Runnable work) {
        ScheduledExecutorService owner = thread;
        if (owner == null) {
            return false;
        }
        try {
            owner.execute(RuntimeThreads.guarded(work));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Partitions led here and their status, for tests and diagnostics (a snapshot from the runtime's thread). */
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
