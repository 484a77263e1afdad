package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.runtime.CoordinatorPartitionWriter;
import io.fjord.protocol.Errors;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.storage.AppendResult;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;

/**
 * A coordinator writer over real logs for tests, standing in for the replica manager: appends as leader in the
 * leader epoch the test says this node leads, and moves the high watermark to the log end at once (the leader is the
 * whole ISR) unless the test holds it back (followers that have not fetched yet) and releases it with
 * {@link #replicateAll}. Thread-safe.
 */
public final class LogPartitionWriter implements CoordinatorPartitionWriter {
    /** Leads in whatever epoch the driver writes. */
    public static final int ANY_EPOCH = -1;

    private final GroupCoordinatorDriver.Logs logs;
    private volatile boolean holdHighWatermark;
    private volatile boolean leader = true;
    private volatile int leaderEpoch = ANY_EPOCH;

    public LogPartitionWriter(GroupCoordinatorDriver.Logs logs) {
        this.logs = logs;
    }

    /** From now on appends leave the high watermark where it is. */
    public void holdHighWatermark() {
        holdHighWatermark = true;
    }

    /** The followers catch up: the high watermark moves to the log end (the caller tells the driver). */
    public void replicateAll(TopicPartition partition) {
        PartitionLog log = logs.log(partition).orElseThrow();
        log.updateHighWatermark(log.logEndOffset());
    }

    /** This node leads in {@code epoch} ({@link #ANY_EPOCH}: in whatever epoch is asked). */
    public void leadIn(int epoch) {
        leader = true;
        leaderEpoch = epoch;
    }

    /** This node follows: appends fail, the high watermark is unknown. */
    public void follow() {
        leader = false;
    }

    @Override
    public long append(TopicPartition partition, int epoch, ByteBuffer batch) {
        PartitionLog log = leaderLog(partition, epoch);
        try {
            return afterAppend(log, log.appendAsCoordinator(batch, epoch));
        } catch (RecordBatchException e) {
            throw new WriteException(Errors.valueOf(e.kind().name()), e.getMessage());
        }
    }

    @Override
    public long appendEndTransactionMarker(TopicPartition partition, int epoch, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit) {
        PartitionLog log = leaderLog(partition, epoch);
        try {
            return afterAppend(log, log.appendTransactionMarkerAsLeader(producerId, producerEpoch,
                    new TransactionMarker(commit, coordinatorEpoch), epoch));
        } catch (RecordBatchException e) {
            throw new WriteException(Errors.valueOf(e.kind().name()), e.getMessage());
        }
    }

    private PartitionLog leaderLog(TopicPartition partition, int epoch) {
        PartitionLog log = logs.log(partition).orElseThrow(() -> new WriteException(Errors.NOT_LEADER_OR_FOLLOWER,
                "no log for " + partition));
        if (!leader) {
            throw new WriteException(Errors.NOT_LEADER_OR_FOLLOWER, "not leader of " + partition);
        }
        if (leaderEpoch != ANY_EPOCH && leaderEpoch != epoch) {
            throw new WriteException(Errors.FENCED_LEADER_EPOCH, "epoch " + epoch + " is not " + leaderEpoch);
        }
        return log;
    }

    private long afterAppend(PartitionLog log, AppendResult result) {
        if (!holdHighWatermark) {
            log.updateHighWatermark(log.logEndOffset());
        }
        return result.lastOffset() + 1;
    }

    @Override
    public long highWatermark(TopicPartition partition, int epoch) {
        if (!leader || leaderEpoch != ANY_EPOCH && leaderEpoch != epoch) {
            return -1;
        }
        return logs.log(partition).map(PartitionLog::highWatermark).orElse(-1L);
    }
}
