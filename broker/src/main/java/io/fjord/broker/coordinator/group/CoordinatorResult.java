package io.fjord.broker.coordinator.group;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.runtime.ShardResult;
import java.util.List;

/**
 * What one call into {@link GroupCoordinatorShard} produced: the records to append to the shard's
 * {@code __consumer_offsets} partition, in order, and the replies to release once those records are durable (at
 * once when there are none). A reply may answer a request of an earlier call (a JoinGroup waits for the rebalance).
 * The records have already been applied to the shard; if the append fails, the driver must drop the shard and
 * rebuild it from the log, as after a change of leader. Immutable.
 */
public record CoordinatorResult(List<CoordinatorRecord> records, List<Reply> replies)
        implements ShardResult<CoordinatorRecord> {
    public static final CoordinatorResult EMPTY = new CoordinatorResult(List.of(), List.of());

    public CoordinatorResult {
        records = List.copyOf(records);
        replies = List.copyOf(replies);
    }

    public boolean isEmpty() {
        return records.isEmpty() && replies.isEmpty();
    }
}
