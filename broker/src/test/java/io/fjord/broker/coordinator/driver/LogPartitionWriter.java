package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.runtime.CoordinatorPartitionWriter;
import io.fjord.protocol.Errors;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.storage.AppendResult;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A coordinator writer over real logs for tests, standing in for the replica manager: appends as leader in the
 * leader epoch the test says this node leads, and moves the high watermark to the log end at once (the leader is the
 * whole ISR) unless the test holds it back (followers that have not fetched yet) and releases it with
 * {@link #replicateAll}; transactional writes verified by a stand-in coordinator ({@link #verifyWith}), none by
 * default. Thread-safe.
 */
public final class LogPartitionWriter implements CoordinatorPartitionWriter {
    /** Leads in whatever epoch the driver writes. */
    public static final int ANY_EPOCH = -1;

    private final GroupCoordinatorDriver.Logs logs;
    private volatile boolean holdHighWatermark;
    private volatile boolean leader = true;
    private volatile int leaderEpoch = ANY_EPOCH;
    private volatile TransactionVerifier verifier = (partition, transactionalId, producerId, producerEpoch, version) ->
            CompletableFuture.completedFuture(TransactionVerification.UNVERIFIED);

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

    /** Transactional writes are verified by {@code verifier} from now on (it answers on any thread). */
    public void verifyWith(TransactionVerifier verifier) {
        this.verifier = verifier;
    }

    /** A stand-in for the transaction coordinator's KIP-890 verification. */
    @FunctionalInterface
    public interface TransactionVerifier {
        CompletableFuture<TransactionVerification> verify(TopicPartition partition, String transactionalId,
                long producerId, short producerEpoch, short apiVersion);
    }

    @Override
    public CompletableFuture<TransactionVerification> startTransactionVerification(TopicPartition partition,
            String transactionalId, long producerId, short producerEpoch, short apiVersion) {
        return verifier.verify(partition, transactionalId, producerId, producerEpoch, apiVersion);
    }

    @Override
    public long append(TopicPartition partition, int epoch, ByteBuffer batch) {
        return appendTransactional(partition, epoch, batch, null);
    }

    @Override
    public long appendTransactional(TopicPartition partition, int epoch, ByteBuffer batch,
            VerificationGuard verification) {
        PartitionLog log = leaderLog(partition, epoch);
        try {
            return afterAppend(log, log.appendAsCoordinator(batch, epoch, verification));
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
