package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.coordinator.transaction.TransactionCoordinatorResult;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorShard;

/**
 * One call into a transaction coordinator shard, e.g. {@code (shard, nowMs) -> shard.endTxn(body, version, nowMs)}.
 * Runs on the runtime's thread.
 */
@FunctionalInterface
public interface TransactionShardCall {
    TransactionCoordinatorResult apply(TransactionCoordinatorShard shard, long nowMs);
}
