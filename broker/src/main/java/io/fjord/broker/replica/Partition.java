package io.fjord.broker.replica;

import io.fjord.broker.replica.AlterPartitionSender.IsrMember;
import io.fjord.broker.replica.AlterPartitionSender.Outcome;
import io.fjord.broker.replica.AlterPartitionSender.Proposal;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.protocol.Errors;
import io.fjord.storage.AppendResult;
import io.fjord.storage.OffsetOutOfRangeException;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition hosted by this node and its replication state (Kafka's {@code Partition}): the log, the leader and
 * the leader epoch, the partition epoch, the replicas and the ISR, and as leader each follower's position
 * ({@link FollowerState}).
 *
 * <p>Metadata moves it: {@link #makeLeader} and {@link #makeFollower} apply a partition image whose partition epoch is
 * not older than the one applied (a stale image is ignored), so epochs only move forward.
 *
 * <p>The high-watermark rule (leader only, Kafka's maybeIncrementLeaderHW): the high watermark is the smallest log end
 * offset among the maximal ISR ({@link IsrState#maximalIsr()}, the leader included) and the followers that are caught
 * up and eligible to join it, and never moves back; it does not move while the ISR is smaller than the effective
 * {@code min.insync.replicas} (the smaller of the topic's setting and the replica count; KIP-966). It is recomputed
 * when a follower's fetch moves it, when the ISR changes and after each append. A new leader keeps the high watermark
 * its log has (checkpointed, capped to its end) and forgets the followers' positions, so it raises it only as the
 * followers fetch in its epoch; it assigns its epoch's start offset (its log end) in the log's leader-epoch cache.
 *
 * <p>ISR changes are proposed to the controller ({@link AlterPartitionSender}), one at a time: a follower whose log end
 * reaches the high watermark and the start offset of the current leader epoch joins (if the metadata says its broker
 * is unfenced, not shutting down, of the epoch its fetch carried); a follower not caught up for
 * {@code replica.lag.time.max.ms} leaves ({@link #maybeShrinkIsr}, run periodically).
 *
 * <p>Thread-safety: the state is guarded by one lock per partition; appends as leader happen under it, so a
 * leadership change never interleaves with an append. Listeners (the high watermark moved) and the AlterPartition
 * sender are called outside the lock.
 */
public final class Partition {
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    /** Decides whether a follower may join an ISR, from the current metadata (KIP-841, KIP-903). Thread-safe. */
    @FunctionalInterface
    public interface ReplicaEligibility {
        /** Whether {@code brokerId} is registered, unfenced, not in controlled shutdown, and of {@code fetchBrokerEpoch} (-1: unchecked). */
        boolean isIsrEligible(int brokerId, long fetchBrokerEpoch);

        /**
         * Whether {@code brokerId} is registered and unfenced (Kafka's hasAliveBroker), so its log start offset holds
         * back DeleteRecords' low watermark; by default as eligible for the ISR.
         */
        default boolean isAlive(int brokerId) {
            return isIsrEligible(brokerId, FollowerState.UNKNOWN_BROKER_EPOCH);
        }
    }

    /** DeleteRecords on the leader: the offset the log start moved to, and the low watermark then. */
    public record DeleteRecordsResult(long requestedOffset, long lowWatermark) {
    }

    /**
     * What every partition of a node shares. Immutable.
     *
     * @param replicaLagTimeMaxMs  {@code replica.lag.time.max.ms}
     * @param localBrokerEpoch     this broker's registration epoch, sent with its own ISR membership
     * @param highWatermarkMoved   called (outside the lock) after a leader's high watermark moved
     */
    public record Context(int localBrokerId, long replicaLagTimeMaxMs, AlterPartitionSender alterPartitions,
                          ReplicaEligibility eligibility, LongSupplier localBrokerEpoch, InstantSource clock,
                          Consumer<TopicPartition> highWatermarkMoved) {
    }

    /**
     * Whether the high watermark reached a produce's offset: not yet, or done with an error (NONE,
     * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below the minimum meanwhile, NOT_LEADER_OR_FOLLOWER).
     */
    public record ReplicationCheck(boolean done, Errors error) {
        static final ReplicationCheck WAITING = new ReplicationCheck(false, Errors.NONE);
    }

    /** For {@link #appendAsLeader(ByteBuffer, short, int, long)}: append in whatever epoch this node leads. */
    public static final int ANY_LEADER_EPOCH = -1;

    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final Context context;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile int minInsyncReplicas = 1;
    // Guarded by lock.
    private UUID topicId;
    private int leaderId = PartitionImage.NO_LEADER;
    private int leaderEpoch = -1;
    private int partitionEpoch = -1;
    /** The log end offset when this node's current leader epoch began; -1 when not leader. */
    private long leaderEpochStartOffset = -1;
    private List<Integer> replicas = List.of();
    private IsrState isrState = IsrState.committed(List.of());
    private byte leaderRecoveryState;
    private final Map<Integer, FollowerState> followers = new HashMap<>();

    public Partition(TopicPartition topicPartition, PartitionLog log, Context context) {
        this.topicPartition = topicPartition;
        this.log = log;
        this.context = context;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public PartitionLog log() {
        return log;
    }

    /** Sets the topic's {@code min.insync.replicas} (its effective config). */
    public void setMinInsyncReplicas(int minInsyncReplicas) {
        this.minInsyncReplicas = Math.max(1, minInsyncReplicas);
    }

    /**
     * Becomes (or stays) the leader as {@code image} says. A new leader epoch resets the followers' states (Kafka's
     * rules: an ISR member counts as caught up now) and records the epoch's start offset. Returns false, changing
     * nothing, for a stale image.
     */
    public boolean makeLeader(PartitionImage image, UUID topicId, long nowMs) {
        boolean moved;
        Proposal recovery = null;
        IsrState proposedState = null;
        lock.lock();
        try {
            if (isStale(image)) {
                return false;
            }
            boolean isNewLeader = leaderId != context.localBrokerId();
            boolean isNewLeaderEpoch = image.leaderEpoch() > leaderEpoch;
            this.topicId = topicId;
            updateReplicas(image.replicas());
            isrState = IsrState.committed(image.isr());
            // KIP-704: a leader elected uncleanly (or as the last known leader) is RECOVERING; with nothing to recover
            // (no transactions yet) it is recovered at once, as Kafka's makeLeader marks it, and tells the controller.
            leaderRecoveryState = PartitionRecord.RECOVERED;
            if (isNewLeaderEpoch || isNewLeader) {
                long startOffset = log.logEndOffset();
                // Kafka's makeLeader: the log knows the new epoch before any append, so OffsetForLeaderEpoch answers
                // it and a follower holding a later epoch's entries truncates to the right offset.
                log.assignEpochStartOffset(image.leaderEpoch(), startOffset);
                followers.replaceAll((id, state) -> state.onNewLeaderEpoch(nowMs, isNewLeader,
                        image.isr().contains(id)));
                leaderEpochStartOffset = startOffset;
                // DEBUG: a node starting leads many partitions at once (the offsets topic alone has 50).
                LOG.debug("{}: leader in epoch {} from offset {} (high watermark {}, ISR {})", topicPartition,
                        image.leaderEpoch(), startOffset, log.highWatermark(), image.isr());
            }
            leaderEpoch = image.leaderEpoch();
            partitionEpoch = image.partitionEpoch();
            leaderId = context.localBrokerId();
            if (image.leaderRecoveryState() == PartitionRecord.RECOVERING) {
                LOG.info("{}: leader in epoch {} elected while RECOVERING; marking it RECOVERED", topicPartition,
                        leaderEpoch);
                isrState = isrState.recover();
                proposedState = isrState;
                recovery = proposal(isrState.proposed());
            }
            // The ISR may be the leader alone now.
            moved = maybeIncrementHighWatermark(nowMs);
        } finally {
            lock.unlock();
        }
        notifyIfMoved(moved);
        if (recovery != null) {
            submit(proposedState, recovery);
        }
        return true;
    }

    /**
     * Becomes (or stays) a follower of {@code image.leader()} (or of nobody, -1). Returns whether the leader or the
     * leader epoch changed, so the fetcher must (re)start from this log; false also for a stale image.
     */
    public boolean makeFollower(PartitionImage image, UUID topicId) {
        lock.lock();
        try {
            if (isStale(image)) {
                return false;
            }
            boolean changed = image.leader() != leaderId || image.leaderEpoch() > leaderEpoch;
            this.topicId = topicId;
            leaderId = image.leader();
            leaderEpoch = image.leaderEpoch();
            partitionEpoch = image.partitionEpoch();
            leaderEpochStartOffset = -1;
            replicas = List.copyOf(image.replicas());
            // A follower keeps no ISR or follower positions: the leader owns them.
            isrState = IsrState.committed(List.of());
            leaderRecoveryState = image.leaderRecoveryState();
            followers.clear();
            return changed;
        } finally {
            lock.unlock();
        }
    }

    private boolean isStale(PartitionImage image) {
        if (image.partitionEpoch() < partitionEpoch || image.leaderEpoch() < leaderEpoch) {
            LOG.info("{}: ignoring partition state of leader epoch {} and partition epoch {}; already at {} and {}",
                    topicPartition, image.leaderEpoch(), image.partitionEpoch(), leaderEpoch, partitionEpoch);
            return true;
        }
        return false;
    }

    private void updateReplicas(List<Integer> newReplicas) {
        replicas = List.copyOf(newReplicas);
        followers.keySet().retainAll(replicas);
        for (int replica : replicas) {
            if (replica != context.localBrokerId()) {
                followers.putIfAbsent(replica, FollowerState.initial());
            }
        }
    }

    /**
     * Appends a validated batch as leader in the current leader epoch. With {@code requiredAcks} -1 it refuses
     * (NOT_ENOUGH_REPLICAS, appending nothing) while the ISR is smaller than the effective minimum.
     *
     * @throws ReplicaException NOT_LEADER_OR_FOLLOWER or NOT_ENOUGH_REPLICAS
     */
    public AppendResult appendAsLeader(ByteBuffer batch, short requiredAcks, long nowMs) {
        return appendAsLeader(batch, requiredAcks, ANY_LEADER_EPOCH, nowMs);
    }

    /**
     * As {@link #appendAsLeader(ByteBuffer, short, long)}, but only while this node leads in {@code expectedLeaderEpoch}
     * ({@link #ANY_LEADER_EPOCH}: in any): a coordinator writes in the epoch its state was loaded in, and checking it
     * under the lock means a leadership change cannot slip between the check and the append.
     *
     * @throws ReplicaException NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH (an older epoch), UNKNOWN_LEADER_EPOCH (a
     *         newer one) or NOT_ENOUGH_REPLICAS
     */
    public AppendResult appendAsLeader(ByteBuffer batch, short requiredAcks, int expectedLeaderEpoch, long nowMs) {
        return appendAsLeader(batch, requiredAcks, expectedLeaderEpoch, nowMs, null);
    }

    /**
     * As {@link #appendAsLeader(ByteBuffer, short, int, long)}, with KIP-890 verification when {@code verification}
     * is not null ({@link PartitionLog#appendAsLeader(ByteBuffer, int, VerificationGuard)}).
     */
    public AppendResult appendAsLeader(ByteBuffer batch, short requiredAcks, int expectedLeaderEpoch, long nowMs,
                                       VerificationGuard verification) {
        return appendUnderLeadership(requiredAcks, expectedLeaderEpoch, nowMs,
                epoch -> log.appendAsLeader(batch, epoch, verification));
    }

    /**
     * Appends a coordinator's batch as leader in {@code expectedLeaderEpoch} with acks 1 (Kafka's coordinator
     * partition writer): as {@link #appendAsLeader(ByteBuffer, short, int, long)}, but a producer's batch (a
     * transactional offset commit) has only its epoch checked ({@link PartitionLog#appendAsCoordinator}).
     *
     * @throws ReplicaException NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH
     */
    public AppendResult appendAsCoordinator(ByteBuffer batch, int expectedLeaderEpoch, long nowMs) {
        return appendAsCoordinator(batch, expectedLeaderEpoch, nowMs, null);
    }

    /**
     * As {@link #appendAsCoordinator(ByteBuffer, int, long)}, with KIP-890 verification when {@code verification} is
     * not null ({@link PartitionLog#appendAsCoordinator(ByteBuffer, int, VerificationGuard)}).
     */
    public AppendResult appendAsCoordinator(ByteBuffer batch, int expectedLeaderEpoch, long nowMs,
                                            VerificationGuard verification) {
        return appendUnderLeadership((short) 1, expectedLeaderEpoch, nowMs,
                epoch -> log.appendAsCoordinator(batch, epoch, verification));
    }

    /**
     * A coordinator ends a producer's transaction in its own partition (a group coordinator's offsets partition):
     * the marker as {@link #appendTransactionMarkerAsLeader}, but with acks 1 and only in {@code expectedLeaderEpoch}.
     */
    public AppendResult appendTransactionMarkerAsCoordinator(long producerId, short producerEpoch,
                                                             TransactionMarker marker, int expectedLeaderEpoch,
                                                             long nowMs) {
        return appendUnderLeadership((short) 1, expectedLeaderEpoch, nowMs,
                epoch -> log.appendTransactionMarkerAsLeader(producerId, producerEpoch, marker, epoch));
    }

    /**
     * Appends a transaction marker ending {@code producerId}'s transaction as leader (what WriteTxnMarkers does; Kafka
     * appends markers with acks=all), with the leadership and ISR checks of {@link #appendAsLeader}; the log checks
     * the producer and coordinator epochs ({@link PartitionLog#appendTransactionMarkerAsLeader}).
     *
     * @throws ReplicaException NOT_LEADER_OR_FOLLOWER or NOT_ENOUGH_REPLICAS
     * @throws io.fjord.protocol.records.RecordBatchException INVALID_PRODUCER_EPOCH or TRANSACTION_COORDINATOR_FENCED
     */
    public AppendResult appendTransactionMarkerAsLeader(long producerId, short producerEpoch, TransactionMarker marker,
                                                        short requiredAcks, long nowMs) {
        return appendUnderLeadership(requiredAcks, ANY_LEADER_EPOCH, nowMs,
                epoch -> log.appendTransactionMarkerAsLeader(producerId, producerEpoch, marker, epoch));
    }

    /**
     * The last stable offset of this replica's log (KIP-98): the high watermark, or the first offset of the earliest
     * transaction not yet stable when that is lower.
     */
    public long lastStableOffset() {
        return log.lastStableOffset();
    }

    private AppendResult appendUnderLeadership(short requiredAcks, int expectedLeaderEpoch, long nowMs,
                                               IntFunction<AppendResult> append) {
        AppendResult result;
        boolean moved;
        lock.lock();
        try {
            if (leaderId != context.localBrokerId()) {
                throw new ReplicaException(Errors.NOT_LEADER_OR_FOLLOWER, "Leader not local for partition "
                        + topicPartition + " on broker " + context.localBrokerId());
            }
            if (expectedLeaderEpoch != ANY_LEADER_EPOCH && expectedLeaderEpoch != leaderEpoch) {
                throw new ReplicaException(expectedLeaderEpoch < leaderEpoch ? Errors.FENCED_LEADER_EPOCH
                        : Errors.UNKNOWN_LEADER_EPOCH, "Leader epoch " + expectedLeaderEpoch + " of an append to "
                        + topicPartition + " is not the current leader epoch " + leaderEpoch);
            }
            int minIsr = effectiveMinIsr();
            if (requiredAcks == -1 && isrState.isr().size() < minIsr) {
                throw new ReplicaException(Errors.NOT_ENOUGH_REPLICAS, "The size of the current ISR "
                        + isrState.isr() + " is insufficient to satisfy the min.isr requirement of " + minIsr
                        + " for partition " + topicPartition);
            }
            result = append.apply(leaderEpoch);
            moved = maybeIncrementHighWatermark(nowMs);
        } finally {
            lock.unlock();
        }
        notifyIfMoved(moved);
        return result;
    }

    /** Kafka's checkEnoughReplicasReachOffset: whether an acks=all produce ending before {@code requiredOffset} is done. */
    public ReplicationCheck checkEnoughReplicasReachOffset(long requiredOffset) {
        lock.lock();
        try {
            if (leaderId != context.localBrokerId()) {
                return new ReplicationCheck(true, Errors.NOT_LEADER_OR_FOLLOWER);
            }
            if (log.highWatermark() < requiredOffset) {
                return ReplicationCheck.WAITING;
            }
            // Appended and replicated, but the ISR may have shrunk below the minimum since the append was allowed.
            return new ReplicationCheck(true, effectiveMinIsr() <= isrState.maximalIsr().size() ? Errors.NONE
                    : Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a follower's fetch at {@code fetchOffset} (its log end offset), which may move the high watermark and
     * propose the follower for the ISR. Call only for a fetch the leader served without error (no diverging epoch).
     * Returns false, recording nothing, if this node does not lead, {@code replicaId} is no follower, or the offset
     * is past the leader's log end.
     */
    public boolean recordFollowerFetch(int replicaId, long brokerEpoch, long fetchOffset, long followerLogStartOffset,
                                       long nowMs) {
        boolean moved;
        Proposal proposal;
        IsrState proposedState;
        lock.lock();
        try {
            FollowerState state = followers.get(replicaId);
            if (leaderId != context.localBrokerId() || state == null || fetchOffset > log.logEndOffset()) {
                return false;
            }
            followers.put(replicaId, state.afterFetch(fetchOffset, followerLogStartOffset, nowMs, log.logEndOffset(),
                    brokerEpoch));
            proposal = maybeExpandIsr(replicaId);
            proposedState = isrState;
            moved = maybeIncrementHighWatermark(nowMs);
        } finally {
            lock.unlock();
        }
        notifyIfMoved(moved);
        if (proposal != null) {
            submit(proposedState, proposal);
        }
        return true;
    }

    /**
     * DeleteRecords as leader (Kafka's deleteRecordsOnLeader): moves the log start offset up to {@code offset} (-1:
     * the high watermark) and answers it with the low watermark now.
     *
     * @throws ReplicaException NOT_LEADER_OR_FOLLOWER; POLICY_VIOLATION for a topic whose {@code cleanup.policy} lacks
     *                          delete; OFFSET_OUT_OF_RANGE for an offset below 0 or above the high watermark
     */
    public DeleteRecordsResult deleteRecordsOnLeader(long offset) {
        lock.lock();
        try {
            requireLeader();
            if (!log.config().delete()) {
                throw new ReplicaException(Errors.POLICY_VIOLATION, "Records of partition " + topicPartition
                        + " can not be deleted because the topic is compacted");
            }
            long requested = offset == -1 ? log.highWatermark() : offset;
            if (requested < 0) {
                throw new ReplicaException(Errors.OFFSET_OUT_OF_RANGE, "The offset " + offset + " for partition "
                        + topicPartition + " is not valid");
            }
            try {
                log.maybeAdvanceLogStartOffset(requested);
            } catch (OffsetOutOfRangeException e) {
                throw new ReplicaException(Errors.OFFSET_OUT_OF_RANGE, e.getMessage());
            }
            return new DeleteRecordsResult(requested, lowWatermark());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kafka's lowWatermarkIfLeader: the smallest log start offset among this leader's log and its live followers
     * (from their fetches; -1 for a follower not heard from in this leadership).
     *
     * @throws ReplicaException NOT_LEADER_OR_FOLLOWER
     */
    public long lowWatermarkIfLeader() {
        lock.lock();
        try {
            requireLeader();
            return lowWatermark();
        } finally {
            lock.unlock();
        }
    }

    private long lowWatermark() {
        long lowWatermark = log.logStartOffset();
        for (Map.Entry<Integer, FollowerState> entry : followers.entrySet()) {
            long followerStart = entry.getValue().logStartOffset();
            if (followerStart < lowWatermark && context.eligibility().isAlive(entry.getKey())) {
                lowWatermark = followerStart;
            }
        }
        return lowWatermark;
    }

    private void requireLeader() {
        if (leaderId != context.localBrokerId()) {
            throw new ReplicaException(Errors.NOT_LEADER_OR_FOLLOWER, "Leader not local for partition "
                    + topicPartition + " on broker " + context.localBrokerId());
        }
    }

    private Proposal maybeExpandIsr(int replicaId) {
        if (isrState.isInFlight() || isrState.isr().contains(replicaId)) {
            return null;
        }
        FollowerState state = followers.get(replicaId);
        boolean inSync = state.logEndOffset() >= log.highWatermark() && leaderEpochStartOffset >= 0
                && state.logEndOffset() >= leaderEpochStartOffset;
        if (!inSync || !context.eligibility().isIsrEligible(replicaId, state.brokerEpoch())) {
            return null;
        }
        isrState = isrState.expand(replicaId);
        LOG.info("{}: proposing to add {} to the ISR {}", topicPartition, replicaId, isrState.isr());
        return proposal(isrState.proposed());
    }

    /**
     * As leader, proposes to remove the ISR members not caught up for {@code replica.lag.time.max.ms} (none while
     * another change is in flight). Returns whether it proposed a change.
     */
    public boolean maybeShrinkIsr(long nowMs) {
        Proposal proposal;
        IsrState proposedState;
        lock.lock();
        try {
            if (leaderId != context.localBrokerId() || isrState.isInFlight()) {
                return false;
            }
            long leaderEnd = log.logEndOffset();
            Set<Integer> outOfSync = new LinkedHashSet<>();
            for (int member : isrState.isr()) {
                if (member == context.localBrokerId()) {
                    continue;
                }
                FollowerState state = followers.get(member);
                if (state == null || !state.isCaughtUp(leaderEnd, nowMs, context.replicaLagTimeMaxMs())) {
                    outOfSync.add(member);
                }
            }
            if (outOfSync.isEmpty()) {
                return false;
            }
            isrState = isrState.shrink(outOfSync);
            proposedState = isrState;
            proposal = proposal(isrState.proposed());
            LOG.info("{}: proposing to remove {} from the ISR {} (log end {}, high watermark {})", topicPartition,
                    outOfSync, isrState.isr(), leaderEnd, log.highWatermark());
        } finally {
            lock.unlock();
        }
        submit(proposedState, proposal);
        return true;
    }

    private Proposal proposal(List<Integer> newIsr) {
        List<IsrMember> members = new ArrayList<>(newIsr.size());
        for (int member : newIsr) {
            long epoch = member == context.localBrokerId() ? context.localBrokerEpoch().getAsLong()
                    : Optional.ofNullable(followers.get(member)).map(FollowerState::brokerEpoch)
                    .orElse(FollowerState.UNKNOWN_BROKER_EPOCH);
            members.add(new IsrMember(member, epoch));
        }
        return new Proposal(topicId, topicPartition, leaderEpoch, members, leaderRecoveryState, partitionEpoch);
    }

    private void submit(IsrState proposedState, Proposal proposal) {
        context.alterPartitions().submit(proposal).whenComplete((outcome, failure) ->
                onAlterPartitionAnswer(proposedState, proposal, outcome, failure));
    }

    /** Kafka's rules for the controller's answer to a proposal. */
    private void onAlterPartitionAnswer(IsrState proposedState, Proposal proposal, Outcome outcome,
                                        Throwable failure) {
        boolean moved = false;
        boolean retry = false;
        lock.lock();
        try {
            if (isrState != proposedState) {
                // Metadata (or another answer) moved the state on: this answer is out of date.
                return;
            }
            Errors error = failure != null ? Errors.UNKNOWN_SERVER_ERROR : outcome.error();
            if (error == Errors.NONE) {
                if (outcome.leaderEpoch() != leaderEpoch || outcome.partitionEpoch() < partitionEpoch) {
                    // Stale: the metadata that follows will settle the state.
                    return;
                }
                isrState = IsrState.committed(outcome.isr());
                partitionEpoch = outcome.partitionEpoch();
                leaderRecoveryState = outcome.leaderRecoveryState();
                LOG.info("{}: ISR now {} at partition epoch {}", topicPartition, outcome.isr(), partitionEpoch);
                moved = maybeIncrementHighWatermark(context.clock().millis());
            } else {
                switch (error) {
                    case OPERATION_NOT_ATTEMPTED, INELIGIBLE_REPLICA ->
                        // The controller did not apply it: back to the committed ISR; a later fetch may propose again.
                        isrState = IsrState.committed(isrState.isr());
                    case UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION,
                         NEW_LEADER_ELECTED ->
                        // Our state is stale: stay pending until the metadata brings the current one.
                        LOG.info("{}: ISR change to {} refused with {}; waiting for the metadata", topicPartition,
                                proposal.newIsrIds(), error);
                    default -> {
                        LOG.warn("{}: ISR change to {} failed with {}; retrying", topicPartition,
                                proposal.newIsrIds(), error);
                        retry = true;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        notifyIfMoved(moved);
        if (retry) {
            submit(proposedState, proposal);
        }
    }

    private int effectiveMinIsr() {
        return Math.max(1, Math.min(minInsyncReplicas, replicas.size()));
    }

    /** The high-watermark rule; the caller holds the lock. Returns whether the high watermark moved. */
    private boolean maybeIncrementHighWatermark(long nowMs) {
        if (leaderId != context.localBrokerId() || isrState.isr().size() < effectiveMinIsr()) {
            return false;
        }
        long leaderEnd = log.logEndOffset();
        long candidate = leaderEnd;
        Set<Integer> maximalIsr = isrState.maximalIsr();
        for (Map.Entry<Integer, FollowerState> entry : followers.entrySet()) {
            FollowerState state = entry.getValue();
            if (state.logEndOffset() < candidate && (maximalIsr.contains(entry.getKey())
                    || state.isCaughtUp(leaderEnd, nowMs, context.replicaLagTimeMaxMs())
                    && context.eligibility().isIsrEligible(entry.getKey(), state.brokerEpoch()))) {
                candidate = state.logEndOffset();
            }
        }
        long before = log.highWatermark();
        if (candidate > before) {
            log.updateHighWatermark(candidate);
            return log.highWatermark() > before;
        }
        return false;
    }

    private void notifyIfMoved(boolean moved) {
        if (moved) {
            context.highWatermarkMoved().accept(topicPartition);
        }
    }

    public boolean isLeader() {
        lock.lock();
        try {
            return leaderId == context.localBrokerId();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The high watermark while this node leads in {@code leaderEpoch}, else -1: read under the lock, so it is never a
     * follower's (a coordinator waits on it for the records its leadership wrote).
     */
    public long leaderHighWatermark(int leaderEpoch) {
        lock.lock();
        try {
            return leaderId == context.localBrokerId() && this.leaderEpoch == leaderEpoch ? log.highWatermark() : -1;
        } finally {
            lock.unlock();
        }
    }

    public int leaderId() {
        lock.lock();
        try {
            return leaderId;
        } finally {
            lock.unlock();
        }
    }

    public int leaderEpoch() {
        lock.lock();
        try {
            return leaderEpoch;
        } finally {
            lock.unlock();
        }
    }

    public int partitionEpoch() {
        lock.lock();
        try {
            return partitionEpoch;
        } finally {
            lock.unlock();
        }
    }

    /** The ISR state as leader (empty as follower). */
    public IsrState isrState() {
        lock.lock();
        try {
            return isrState;
        } finally {
            lock.unlock();
        }
    }

    /** The leader recovery state as this node knows it (KIP-704): a leader is RECOVERED at once. */
    public byte leaderRecoveryState() {
        lock.lock();
        try {
            return leaderRecoveryState;
        } finally {
            lock.unlock();
        }
    }

    /** A follower's state as this leader knows it; empty for a non-follower or as follower. */
    public Optional<FollowerState> followerState(int replicaId) {
        lock.lock();
        try {
            return Optional.ofNullable(followers.get(replicaId));
        } finally {
            lock.unlock();
        }
    }

    /** The log end offset when the current leader epoch began here; -1 when not leader. */
    public long leaderEpochStartOffset() {
        lock.lock();
        try {
            return leaderEpochStartOffset;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Partition(" + topicPartition + ")";
    }
}
