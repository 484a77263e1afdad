package io.fjord.broker.replica;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica fetcher (Kafka's ReplicaFetcherThread): fetches the partitions this node follows from one leader,
 * in rounds on its own thread ({@code fjord-replica-fetcher-<index>-<leader>}, started by {@link #start()}). A round
 * sends one Fetch for every partition that is ready (in an incremental fetch session, {@link ReplicaFetchSession}), waits for the answer and applies it partition by partition:
 * records appended ({@link FollowerAppend}), high watermark and log start taken from the leader, a diverging epoch
 * truncated; OFFSET_OUT_OF_RANGE recovered by asking the leader ({@link LeaderOffsets}); FENCED_LEADER_EPOCH, or a
 * log that cannot take the data, parks the partition until the replica manager adds it again; other partition
 * errors (NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_ID, ...) pause it for
 * {@code replica.fetch.backoff.ms}, and a failed request (no connection, no answer) pauses all it carried.
 *
 * <p>The thread waits through the endpoint's {@link FetcherWaits}: on a network endpoint it runs the connection's
 * event loop itself meanwhile, so reading an answer, applying it and sending the next request happen on this one
 * thread (Kafka's fetcher threads likewise poll their own network client).
 *
 * <p>Thread-safe. The partition map is guarded by one lock (Kafka's partitionMapLock), held while a response is
 * applied but not while waiting for the leader, so {@link #removePartitions} returns at once unless a response is
 * being applied, and never lets a later response touch the removed logs.
 */
final class ReplicaFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    /** How long an idle fetcher sleeps before looking again, if nothing wakes it. */
    private static final long IDLE_WAIT_MS_MAX = 1000;

    private final int leaderId;
    private final int fetcherIndex;
    private final int localId;
    private final LongSupplier brokerEpoch;
    private final ReplicaFetcherConfig config;
    private final Function<TopicPartition, Optional<PartitionLog>> logs;
    private final LeaderEndpoint leader;
    private final LeaderOffsets leaderOffsets;
    private final Consumer<TopicPartition> partitionChanged;
    private final InstantSource clock;
    private final LogTruncation truncation;
    /** The follower's replication throttle (Kafka's follower ReplicationQuotaManager). */
    private final ReplicationQuota quota;
    /** The incremental fetch session with the leader (KIP-227): a round names only partitions that moved. */
    private final ReplicaFetchSession session = new ReplicaFetchSession();
    private final ReentrantLock partitionMapLock = new ReentrantLock();
    /** How the thread waits for answers and for work (and, on a network endpoint, drives its connection). */
    private final FetcherWaits waits;
    /** Guarded by {@link #partitionMapLock}; in fetch order. */
    private final Map<TopicPartition, PartitionFetchState> partitions = new LinkedHashMap<>();
    private volatile boolean running;
    /** Guarded by this object's monitor, as {@link #thread} is. */
    private boolean shutDown;
    private Thread thread;

    ReplicaFetcher(int leaderId, int fetcherIndex, int localId, LongSupplier brokerEpoch, ReplicaFetcherConfig config,
            Function<TopicPartition, Optional<PartitionLog>> logs, LeaderEndpoint leader,
            Consumer<TopicPartition> partitionChanged, InstantSource clock) {
        this(leaderId, fetcherIndex, localId, brokerEpoch, config, logs, leader, partitionChanged, clock,
                new ReplicationQuota(1, 1000, clock), LogTruncation.DIRECT);
    }

    /**
     * As above, leaving throttled partitions that are not in sync out of requests while {@code quota} is exceeded,
     * and truncating logs through {@code truncation}.
     */
    ReplicaFetcher(int leaderId, int fetcherIndex, int localId, LongSupplier brokerEpoch, ReplicaFetcherConfig config,
            Function<TopicPartition, Optional<PartitionLog>> logs, LeaderEndpoint leader,
            Consumer<TopicPartition> partitionChanged, InstantSource clock, ReplicationQuota quota,
            LogTruncation truncation) {
        this.quota = quota;
        this.truncation = truncation;
        this.leaderId = leaderId;
        this.fetcherIndex = fetcherIndex;
        this.localId = localId;
        this.brokerEpoch = brokerEpoch;
        this.config = config;
        this.logs = logs;
        this.leader = leader;
        this.waits = leader.newWaits();
        this.leaderOffsets = new LeaderOffsets(leader, waits, localId, config.requestTimeoutMs());
        this.partitionChanged = partitionChanged;
        this.clock = clock;
    }

    int leaderId() {
        return leaderId;
    }

    /**
     * Follows the partitions from this leader. A partition followed already at the same leader epoch keeps its
     * state (and its back-off); otherwise it starts afresh, and a request in flight with its old state is ignored.
     */
    void addPartitions(Map<TopicPartition, InitialFetchState> added) {
        partitionMapLock.lock();
        try {
            added.forEach((partition, initial) -> {
                PartitionFetchState current = partitions.get(partition);
                if (current == null || current.isParked()
                        || current.currentLeaderEpoch() != initial.currentLeaderEpoch()) {
                    partitions.put(partition, new PartitionFetchState(initial.topicId(),
                            initial.currentLeaderEpoch()));
                }
            });
        } finally {
            partitionMapLock.unlock();
        }
        waits.wake();
    }

    /** Stops fetching the partitions; once it returns, this fetcher neither appends to nor truncates their logs. */
    void removePartitions(Set<TopicPartition> removed) {
        partitionMapLock.lock();
        try {
            partitions.keySet().removeAll(removed);
        } finally {
            partitionMapLock.unlock();
        }
    }

    int partitionCount() {
        partitionMapLock.lock();
        try {
            return partitions.size();
        } finally {
            partitionMapLock.unlock();
        }
    }

    /** Whether the partition waits for the replica manager to add it again; for tests. */
    boolean isParked(TopicPartition partition) {
        partitionMapLock.lock();
        try {
            PartitionFetchState state = partitions.get(partition);
            return state != null && state.isParked();
        } finally {
            partitionMapLock.unlock();
        }
    }

    synchronized void start() {
        if (thread != null || shutDown) {
            return;
        }
        running = true;
        // A Netty thread: the connection's handlers, run by this thread, use fast thread-locals.
        thread = new FastThreadLocalThread(this::run, "fjord-replica-fetcher-" + fetcherIndex + "-" + leaderId);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops the thread (failing its request in flight) and waits for it; closes the leader endpoint. A fetcher that
     * was shut down stays down.
     */
    synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        running = false;
        leader.close();
        waits.wake();
        if (thread == null) {
            // Never started: this thread lets go of the waits (and runs the endpoint's closing left to them).
            waits.attach();
            waits.detach();
            return;
        }
        // Never interrupted: an interrupt during a log write would close the segment's file channel.
        boolean joined = false;
        while (!joined) {
            try {
                thread.join();
                joined = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                joined = !thread.isAlive();
            }
        }
        thread = null;
    }

    private void run() {
        waits.attach();
        try {
            while (running) {
                try {
                    if (!doWork()) {
                        awaitWork();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("Replica fetcher {} of leader {} failed a round; backing off", fetcherIndex, leaderId,
                            e);
                    backOffAll();
                }
            }
        } finally {
            leader.close(); // on this thread, which may drive the endpoint's loop: at once
            waits.detach();
        }
    }

    /** Sleeps until a partition becomes ready or is added, or the fetcher stops. */
    private void awaitWork() throws InterruptedException {
        long waitMs;
        partitionMapLock.lock();
        try {
            long nowMs = clock.millis();
            long readyAtMs = Long.MAX_VALUE;
            for (PartitionFetchState state : partitions.values()) {
                readyAtMs = Math.min(readyAtMs, state.readyAtMs());
            }
            waitMs = Math.min(IDLE_WAIT_MS_MAX, Math.max(1, readyAtMs - nowMs));
        } finally {
            partitionMapLock.unlock();
        }
        if (running) {
            waits.awaitWork(waitMs); // an added partition wakes it (waits remember a wake-up that came first)
        }
    }

    /**
     * One round: fetches the ready partitions and applies the answer. Returns false when no partition was ready
     * (nothing was sent).
     */
    boolean doWork() throws InterruptedException {
        Round round = sendRound();
        if (round == null) {
            return false;
        }
        // The endpoint fails the request at its own timeout; this bound only guards against one that does not.
        // completeRound sees a failure (or a missing answer) and backs off.
        waits.awaitAnswer(round.response(), 2 * config.requestTimeoutMs());
        completeRound(round);
        return true;
    }

    /** A Fetch sent for the planned partitions, whose answer {@link #completeRound} applies. */
    record Round(List<PlannedFetch> planned, CompletableFuture<ApiMessage> response) {
    }

    /**
     * The first half of a round, without waiting: sends one Fetch for the ready partitions; null when none is
     * ready. The thread's loop, and a simulation stepping the fetcher in simulated time, call it.
     */
    Round sendRound() {
        List<PlannedFetch> planned = plan(clock.millis());
        if (planned.isEmpty()) {
            return null;
        }
        CompletableFuture<ApiMessage> response;
        try {
            response = leader.send(ApiKey.FETCH, version -> ReplicaRequests.fetch(version, localId,
                    brokerEpoch.getAsLong(), config, session.next(version, planned)));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return new Round(planned, response);
    }

    /**
     * The second half of a round: applies the answer (a failed or missing one backs the partitions off), then
     * recovers the partitions out of range by asking the leader, which waits for its answers.
     */
    void completeRound(Round round) throws InterruptedException {
        List<PlannedFetch> planned = round.planned();
        ApiMessage answer;
        try {
            answer = round.response().getNow(null);
            if (answer == null) {
                throw new TimeoutException("no answer");
            }
        } catch (CompletionException | CancellationException | TimeoutException e) {
            if (running) {
                LOG.info("Replica fetcher {} could not fetch from leader {}: {}; backing off {} ms", fetcherIndex,
                        leaderId, e.getCause() != null ? e.getCause().toString() : e.toString(),
                        config.fetchBackoffMs());
            }
            session.handleFailure();
            delay(planned);
            return;
        }
        if (!session.handleResponse((FetchResponseData) answer)) {
            LOG.debug("Leader {} answered a fetch with {}; starting a new fetch session",
                    leaderId, Errors.forCode(((FetchResponseData) answer).errorCode()));
            return; // the next round, a full fetch, goes at once
        }
        Set<TopicPartition> changed = new HashSet<>();
        List<PlannedFetch> outOfRange = new ArrayList<>();
        apply(planned, (FetchResponseData) answer, changed, outOfRange);
        for (PlannedFetch partition : outOfRange) {
            recoverOutOfRange(partition, changed);
        }
        changed.forEach(partitionChanged);
    }

    /** The ready partitions with their logs' positions now. */
    private List<PlannedFetch> plan(long nowMs) {
        List<PlannedFetch> planned = new ArrayList<>();
        partitionMapLock.lock();
        try {
            for (Map.Entry<TopicPartition, PartitionFetchState> entry : partitions.entrySet()) {
                PartitionFetchState state = entry.getValue();
                if (!state.isReady(nowMs)) {
                    continue;
                }
                if (!state.isReplicaInSync() && quota.isThrottled(entry.getKey()) && quota.isQuotaExceeded()) {
                    continue; // Kafka's follower throttle: fetched again once the rate is back under the bound
                }
                Optional<PartitionLog> log = logs.apply(entry.getKey()).filter(found -> !found.isClosed());
                if (log.isEmpty()) {
                    state.delayUntil(nowMs + config.fetchBackoffMs());
                    LOG.warn("Partition {} has no log to fetch into; backing off", entry.getKey());
                    continue;
                }
                PartitionLog partitionLog = log.get();
                planned.add(new PlannedFetch(entry.getKey(), state, partitionLog, partitionLog.logEndOffset(),
                        partitionLog.latestEpoch().orElse(-1), partitionLog.logStartOffset()));
            }
        } finally {
            partitionMapLock.unlock();
        }
        return planned;
    }

    private void apply(List<PlannedFetch> planned, FetchResponseData response, Set<TopicPartition> changed,
            List<PlannedFetch> outOfRange) {
        long nowMs = clock.millis();
        partitionMapLock.lock();
        try {
            if (response.errorCode() != Errors.NONE.code()) {
                LOG.info("Leader {} answered a fetch with {}; backing off", leaderId,
                        Errors.forCode(response.errorCode()));
                planned.forEach(partition -> partition.state().delayUntil(nowMs + config.fetchBackoffMs()));
                return;
            }
            Map<TopicPartition, FetchResponseData.PartitionData> answered = ReplicaRequests.partitions(response,
                    planned);
            for (PlannedFetch partition : planned) {
                FetchResponseData.PartitionData data = answered.get(partition.topicPartition());
                if (data == null || !partition.isCurrent(partitions.get(partition.topicPartition()))) {
                    continue; // removed, re-added or moved while the request was out: the answer is stale
                }
                applyPartition(partition, data, nowMs, changed, outOfRange);
            }
        } finally {
            partitionMapLock.unlock();
        }
    }

    private void applyPartition(PlannedFetch partition, FetchResponseData.PartitionData data, long nowMs,
            Set<TopicPartition> changed, List<PlannedFetch> outOfRange) {
        TopicPartition topicPartition = partition.topicPartition();
        Errors error = Errors.forCode(data.errorCode());
        switch (error) {
            case NONE -> {
                try {
                    if (FollowerAppend.apply(partition.log(), data, truncation)) {
                        changed.add(topicPartition);
                    }
                    partition.state().updateLag(data.highWatermark(), partition.log().logEndOffset());
                    if (quota.isThrottled(topicPartition)) {
                        quota.record(data.records().sizeInBytes());
                    }
                } catch (RecordBatchException e) {
                    // Possibly damaged on the way: fetched again after the back-off, as Kafka does.
                    LOG.error("Partition {}: the data fetched from leader {} at offset {} is invalid: {}",
                            topicPartition, leaderId, partition.fetchOffset(), e.getMessage());
                    partition.state().delayUntil(nowMs + config.fetchBackoffMs());
                } catch (RuntimeException e) {
                    LOG.error("Partition {}: cannot apply the data fetched from leader {} at offset {}; "
                            + "not fetching it until the replica manager adds it again", topicPartition, leaderId,
                            partition.fetchOffset(), e);
                    partition.state().park(e.toString());
                }
            }
            case OFFSET_OUT_OF_RANGE -> outOfRange.add(partition);
            case FENCED_LEADER_EPOCH -> {
                LOG.info("Partition {}: leader {} has a newer epoch than {}; waiting for the metadata to move it",
                        topicPartition, leaderId, partition.state().currentLeaderEpoch());
                partition.state().park("fenced leader epoch " + partition.state().currentLeaderEpoch());
            }
            default -> {
                LOG.debug("Partition {}: leader {} answered {}; backing off", topicPartition, leaderId, error);
                partition.state().delayUntil(nowMs + config.fetchBackoffMs());
            }
        }
    }

    /**
     * Asks the leader where this log stands (without the lock: it waits for the leader), then truncates or starts
     * the log afresh if the partition has not changed meanwhile.
     */
    private void recoverOutOfRange(PlannedFetch partition, Set<TopicPartition> changed)
            throws InterruptedException {
        LeaderOffsets.Recovery recovery;
        try {
            recovery = leaderOffsets.outOfRange(partition);
        } catch (LeaderOffsets.LeaderError e) {
            LOG.info("Partition {}: out of range at leader {}, which answered: {}", partition.topicPartition(),
                    leaderId, e.getMessage());
            if (e.error() == Errors.FENCED_LEADER_EPOCH) {
                parkIfCurrent(partition, "fenced leader epoch " + partition.state().currentLeaderEpoch());
            } else {
                delayIfCurrent(partition);
            }
            return;
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("Partition {}: out of range at leader {}, which could not be asked: {}",
                    partition.topicPartition(), leaderId, e.toString());
            delayIfCurrent(partition);
            return;
        }
        partitionMapLock.lock();
        try {
            if (!partition.isCurrent(partitions.get(partition.topicPartition()))) {
                return;
            }
            PartitionLog log = partition.log();
            if (recovery.truncateTo() >= 0) {
                LOG.info("Partition {}: truncating from {} to {}, where its history parts from leader {}'s",
                        partition.topicPartition(), partition.fetchOffset(), recovery.truncateTo(), leaderId);
                truncation.truncateTo(log, recovery.truncateTo());
                changed.add(partition.topicPartition());
            } else if (recovery.startAt() >= 0) {
                LOG.info("Partition {}: its log ends at {}, below leader {}'s log start {}: starting again there",
                        partition.topicPartition(), partition.fetchOffset(), leaderId, recovery.startAt());
                truncation.truncateFullyAndStartAt(log, recovery.startAt());
                changed.add(partition.topicPartition());
            } else {
                partition.state().delayUntil(clock.millis() + config.fetchBackoffMs());
            }
        } finally {
            partitionMapLock.unlock();
        }
    }

    private void delay(List<PlannedFetch> planned) {
        long untilMs = clock.millis() + config.fetchBackoffMs();
        partitionMapLock.lock();
        try {
            for (PlannedFetch partition : planned) {
                if (partitions.get(partition.topicPartition()) == partition.state()) {
                    partition.state().delayUntil(untilMs);
                }
            }
        } finally {
            partitionMapLock.unlock();
        }
    }

    private void delayIfCurrent(PlannedFetch partition) {
        delay(List.of(partition));
    }

    private void parkIfCurrent(PlannedFetch partition, String reason) {
        partitionMapLock.lock();
        try {
            if (partitions.get(partition.topicPartition()) == partition.state()) {
                partition.state().park(reason);
            }
        } finally {
            partitionMapLock.unlock();
        }
    }

    private void backOffAll() {
        long untilMs = clock.millis() + config.fetchBackoffMs();
        partitionMapLock.lock();
        try {
            partitions.values().forEach(state -> state.delayUntil(untilMs));
        } finally {
            partitionMapLock.unlock();
        }
    }
}
