package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.coordinator.runtime.ShardReply;
import io.fjord.broker.coordinator.runtime.ShardResult;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.protocol.message.ApiMessage;
import java.util.List;

/**
 * A {@link io.fjord.broker.coordinator.transaction.TransactionCoordinatorResult} in the runtime's terms: its records,
 * its response as the reply to the request the runtime numbered, and the sending of its markers as work after the
 * commit. Immutable.
 */
record TransactionShardResult(List<TransactionRecord> records, List<Reply> replies, List<Runnable> afterCommit)
        implements ShardResult<TransactionRecord> {
    static final TransactionShardResult EMPTY = new TransactionShardResult(List.of(), List.of(), List.of());

    TransactionShardResult {
        records = List.copyOf(records);
        replies = List.copyOf(replies);
        afterCommit = List.copyOf(afterCommit);
    }

    /** The response to request {@code requestId}. */
    record Reply(long requestId, ApiMessage response) implements ShardReply {
    }
}
