package io.fjord.broker.verification;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.replica.TaskScheduler;
import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.Map;

/**
 * Kafka 4.4's server-side retry of a transaction protocol v2 producer's add (KAFKA-18654, Kafka's
 * {@code ReplicaManager} for Produce v12+): while the coordinator answers CONCURRENT_TRANSACTIONS (the producer's
 * previous transaction is still writing its markers, which is normal right after EndTxn), the leader asks again every
 * {@code add.partitions.to.txn.retry.backoff.ms} (20) for at most {@code add.partitions.to.txn.retry.backoff.max.ms}
 * (100, capped by {@code request.timeout.ms}) before passing the error on. Without it the producer backs off
 * {@code retry.backoff.ms} and the batches it pipelined behind come back OUT_OF_ORDER_SEQUENCE_NUMBER. Verify-only
 * checks (older producers) are not retried, as in Kafka. Immutable; thread-safe (the scheduler is).
 *
 * @param scheduler runs a retry later (the replica manager's scheduler thread in a node)
 * @param clock     when the first attempt started and how long the retries have taken
 * @param backoffMs the wait before each retry
 * @param timeoutMs no retry starts once this long has passed since the first attempt (0: none)
 */
public record AddPartitionRetries(TaskScheduler scheduler, InstantSource clock, long backoffMs, long timeoutMs) {

    public AddPartitionRetries {
        if (backoffMs < 1 || timeoutMs < 0) {
            throw new IllegalArgumentException("invalid add-partition retries: backoffMs=" + backoffMs
                    + ", timeoutMs=" + timeoutMs);
        }
    }

    /** No retry: the coordinator's CONCURRENT_TRANSACTIONS goes to the producer at once. */
    public static AddPartitionRetries none() {
        return new AddPartitionRetries((task, delayMs) -> {
            throw new IllegalStateException("no retries");
        }, InstantSource.system(), 1, 0);
    }

    /**
     * From a node's configuration: {@code add.partitions.to.txn.retry.backoff.ms} and
     * {@code add.partitions.to.txn.retry.backoff.max.ms} capped by {@code request.timeout.ms}, as Kafka.
     */
    public static AddPartitionRetries from(BrokerConfig config, TaskScheduler scheduler, InstantSource clock) {
        return new AddPartitionRetries(scheduler, clock, config.intValue("add.partitions.to.txn.retry.backoff.ms"),
                Math.min(config.intValue("add.partitions.to.txn.retry.backoff.max.ms"),
                        config.intValue("request.timeout.ms")));
    }

    /**
     * Whether an attempt that started the retries at {@code startMs} and left {@code unverified} should go again:
     * some partition is CONCURRENT_TRANSACTIONS and the time is not up (Kafka's
     * {@code maybeRetryOnConcurrentTransactions}).
     */
    boolean shouldRetry(Map<TopicPartition, Errors> unverified, long startMs) {
        return clock.millis() - startMs < timeoutMs && unverified.containsValue(Errors.CONCURRENT_TRANSACTIONS);
    }
}
