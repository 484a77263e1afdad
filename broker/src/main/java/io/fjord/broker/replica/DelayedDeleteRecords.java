package io.fjord.broker.replica;

import io.fjord.broker.delayed.DelayedOperation;
import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.function.Consumer;

/**
 * A DeleteRecords waiting until every replica of each partition has moved its log start offset up to the requested
 * offset (Kafka's DelayedDeleteRecords): a partition is done when the leader's low watermark (the smallest log start
 * offset among the leader and its live followers, from their fetches) reaches it, or with NOT_LEADER_OR_FOLLOWER
 * once this node no longer leads it; a partition still waiting at the request's timeout answers REQUEST_TIMED_OUT
 * with the low watermark it had when the request was taken. Completion hands the statuses to {@code onDone} once.
 *
 * <p>Thread-safe: checks run under the operation's lock; the status fields are volatile because an expiry reads them
 * from the reaper thread. {@code onDone} runs on the completing thread and must only hand work off.
 */
final class DelayedDeleteRecords extends DelayedOperation {
    /** A partition's current low watermark as its leader sees it; NOT_LEADER_OR_FOLLOWER when this node does not lead. */
    @FunctionalInterface
    interface LowWatermarks {
        /** The low watermark, or throws {@link ReplicaException} with the partition's error. */
        long lowWatermark(TopicPartition topicPartition);
    }

    /** One partition of the request: its log start offset moved locally, waiting for the followers'. */
    static final class PartitionStatus {
        final TopicPartition topicPartition;
        final long requiredOffset;
        volatile boolean pending = true;
        volatile Errors error = Errors.REQUEST_TIMED_OUT;
        volatile long lowWatermark;

        PartitionStatus(TopicPartition topicPartition, long requiredOffset, long lowWatermark) {
            this.topicPartition = topicPartition;
            this.requiredOffset = requiredOffset;
            this.lowWatermark = lowWatermark;
        }
    }

    private final List<PartitionStatus> statuses;
    private final LowWatermarks lowWatermarks;
    private final Consumer<List<PartitionStatus>> onDone;

    DelayedDeleteRecords(long timeoutMs, List<PartitionStatus> statuses, LowWatermarks lowWatermarks,
                         Consumer<List<PartitionStatus>> onDone) {
        super(timeoutMs);
        this.statuses = List.copyOf(statuses);
        this.lowWatermarks = lowWatermarks;
        this.onDone = onDone;
    }

    @Override
    protected boolean tryComplete() {
        boolean waiting = false;
        for (PartitionStatus status : statuses) {
            if (!status.pending) {
                continue;
            }
            try {
                long lowWatermark = lowWatermarks.lowWatermark(status.topicPartition);
                if (lowWatermark >= status.requiredOffset) {
                    status.lowWatermark = lowWatermark;
                    status.error = Errors.NONE;
                    status.pending = false;
                } else {
                    waiting = true;
                }
            } catch (ReplicaException e) {
                status.lowWatermark = -1;
                status.error = e.error();
                status.pending = false;
            }
        }
        return !waiting && forceComplete();
    }

    @Override
    protected void onComplete() {
        onDone.accept(statuses);
    }

    @Override
    protected void onExpiration() {
        // The statuses still pending keep REQUEST_TIMED_OUT and the low watermark the request was taken with.
    }
}
