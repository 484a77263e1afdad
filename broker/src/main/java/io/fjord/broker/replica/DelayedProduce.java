package io.fjord.broker.replica;

import io.fjord.broker.delayed.DelayedOperation;
import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.function.Consumer;

/**
 * An acks=all produce waiting until the high watermark of each partition it appended to passes its batch (Kafka's
 * DelayedProduce). It watches its partitions; whoever moves a high watermark checks it. A partition is done when its
 * check says so (NONE, NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below the minimum while waiting,
 * NOT_LEADER_OR_FOLLOWER after losing the leadership); a partition still waiting at the request's timeout answers
 * REQUEST_TIMED_OUT. Completion hands the statuses to {@code onDone} exactly once.
 *
 * <p>Thread-safe: checks run under the operation's lock; the status fields are volatile because an expiry reads them
 * from the reaper thread. {@code onDone} runs on the completing thread (a fetch handler, the metadata loader, the
 * reaper) and must only hand work off.
 */
final class DelayedProduce extends DelayedOperation {
    /** How a waiting partition is checked: by its {@link Partition}, or NOT_LEADER_OR_FOLLOWER when gone. */
    @FunctionalInterface
    interface ReplicationChecker {
        Partition.ReplicationCheck check(TopicPartition topicPartition, long requiredOffset);
    }

    /** One partition of the request: appended, with the offset the high watermark must reach. */
    static final class PartitionStatus {
        final TopicPartition topicPartition;
        /** The appended batch's last offset plus one. */
        final long requiredOffset;
        volatile boolean acksPending;
        volatile Errors error;

        PartitionStatus(TopicPartition topicPartition, long requiredOffset) {
            this.topicPartition = topicPartition;
            this.requiredOffset = requiredOffset;
            this.acksPending = true;
            this.error = Errors.REQUEST_TIMED_OUT;
        }
    }

    private final List<PartitionStatus> statuses;
    private final ReplicationChecker checker;
    private final Consumer<List<PartitionStatus>> onDone;

    DelayedProduce(long timeoutMs, List<PartitionStatus> statuses, ReplicationChecker checker,
                   Consumer<List<PartitionStatus>> onDone) {
        super(timeoutMs);
        this.statuses = List.copyOf(statuses);
        this.checker = checker;
        this.onDone = onDone;
    }

    @Override
    protected boolean tryComplete() {
        boolean pending = false;
        for (PartitionStatus status : statuses) {
            if (!status.acksPending) {
                continue;
            }
            Partition.ReplicationCheck check = checker.check(status.topicPartition, status.requiredOffset);
            if (check.done()) {
                status.error = check.error();
                status.acksPending = false;
            } else {
                pending = true;
            }
        }
        return !pending && forceComplete();
    }

    @Override
    protected void onComplete() {
        onDone.accept(statuses);
    }

    @Override
    protected void onExpiration() {
        // The statuses still pending keep REQUEST_TIMED_OUT.
    }
}
