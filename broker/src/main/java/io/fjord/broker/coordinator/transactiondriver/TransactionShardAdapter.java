package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.coordinator.markers.TransactionMarkerChannel;
import io.fjord.broker.coordinator.runtime.CoordinatorShard;
import io.fjord.broker.coordinator.runtime.ShardResult;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorResult;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorShard;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs a {@link TransactionCoordinatorShard} on the shared coordinator runtime: replays and activation go to the
 * shard, and each {@link TransactionCoordinatorResult} becomes a runtime result whose response answers the request
 * that caused it and whose markers are handed to the {@link TransactionMarkerChannel} only once its records (the
 * PrepareCommit/PrepareAbort) are committed, as Kafka sends markers only after the prepare record is replicated.
 *
 * <p>Not thread-safe: the runtime's thread owns it, as it owns the shard.
 */
final class TransactionShardAdapter implements CoordinatorShard<TransactionRecord> {
    private final TransactionCoordinatorShard shard;
    private final int coordinatorEpoch;
    private final Supplier<TransactionMarkerChannel> channel;
    private final int partition;
    private final Map<Integer, TransactionCoordinatorShard> activeShards;

    /**
     * @param coordinatorEpoch the leader epoch of the partition the shard was loaded for, which its markers carry
     * @param channel the node's marker channel, read when markers are to be sent
     * @param activeShards the active shard of each partition, which this one enters while active (the committed
     *        view's reads need the markers written, which only the active shard knows); the runtime's thread's
     */
    TransactionShardAdapter(TransactionCoordinatorShard shard, int coordinatorEpoch,
            Supplier<TransactionMarkerChannel> channel, int partition,
            Map<Integer, TransactionCoordinatorShard> activeShards) {
        this.shard = shard;
        this.coordinatorEpoch = coordinatorEpoch;
        this.channel = channel;
        this.partition = partition;
        this.activeShards = activeShards;
    }

    TransactionCoordinatorShard shard() {
        return shard;
    }

    int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    @Override
    public void replay(TransactionRecord record) {
        shard.replay(record);
    }

    @Override
    public ShardResult<TransactionRecord> activate(long nowMs) {
        activeShards.put(partition, shard);
        // The markers of transactions found preparing: sent once the loaded tail is committed.
        return toRuntime(shard.activate(nowMs), -1);
    }

    @Override
    public ShardResult<TransactionRecord> deactivate(long nowMs) {
        activeShards.remove(partition, shard);
        shard.deactivate(); // the shard holds no request: every reply left with its result
        return TransactionShardResult.EMPTY;
    }

    @Override
    public ShardResult<TransactionRecord> pollTimers(long nowMs) {
        return toRuntime(shard.pollTimers(nowMs), -1);
    }

    @Override
    public long nextTimerDeadlineMs() {
        return shard.nextTimerDeadlineMs();
    }

    @Override
    public boolean isActive() {
        return shard.isActive();
    }

    /**
     * The runtime's form of a shard result: the response (if any) answers {@code requestId} (-1 for events, which
     * have none), the markers are sent after the commit.
     */
    ShardResult<TransactionRecord> toRuntime(TransactionCoordinatorResult result, long requestId) {
        List<TransactionShardResult.Reply> replies = result.response() == null || requestId < 0 ? List.of()
                : List.of(new TransactionShardResult.Reply(requestId, result.response()));
        List<Runnable> afterCommit = new ArrayList<>(result.markers().size());
        for (TransactionMarkers markers : result.markers()) {
            afterCommit.add(() -> channel.get().send(markers));
        }
        return new TransactionShardResult(result.records(), replies, afterCommit);
    }
}
