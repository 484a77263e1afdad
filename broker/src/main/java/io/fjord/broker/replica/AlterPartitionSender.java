package io.fjord.broker.replica;

import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Where a partition leader sends a proposed ISR change (Kafka's AlterPartition). Implementations are thread-safe. The
 * future may be complete already when {@link #submit} returns, so callers attach callbacks outside their own locks.
 */
@FunctionalInterface
public interface AlterPartitionSender {
    /**
     * Queues the proposal; at most one per partition is outstanding, so a second one before the first is answered
     * completes with OPERATION_NOT_ATTEMPTED.
     */
    CompletableFuture<Outcome> submit(Proposal proposal);

    /** An ISR member with the broker epoch the leader saw in its fetches (-1 when unknown). Immutable. */
    record IsrMember(int brokerId, long brokerEpoch) {
    }

    /**
     * One partition's proposed ISR, stamped with the leader's leader epoch and partition epoch so the controller can
     * refuse it once stale. Immutable.
     */
    record Proposal(UUID topicId, TopicPartition topicPartition, int leaderEpoch, List<IsrMember> newIsr,
                    byte leaderRecoveryState, int partitionEpoch) {
        public Proposal {
            newIsr = List.copyOf(newIsr);
        }

        public List<Integer> newIsrIds() {
            return newIsr.stream().map(IsrMember::brokerId).toList();
        }
    }

    /**
     * The controller's answer for one partition: an error, or the partition's state after the change. Immutable.
     */
    record Outcome(Errors error, int leaderId, int leaderEpoch, List<Integer> isr, byte leaderRecoveryState,
                   int partitionEpoch) {
        public Outcome {
            isr = List.copyOf(isr);
        }

        public static Outcome failed(Errors error) {
            return new Outcome(error, -1, -1, List.of(), (byte) 0, -1);
        }
    }
}
