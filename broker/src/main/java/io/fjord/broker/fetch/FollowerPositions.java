package io.fjord.broker.fetch;

import io.fjord.storage.TopicPartition;
import java.util.Optional;

/**
 * What a leader knows of its followers' logs, from their fetches: the replica manager's {@code Partition} keeps it.
 * The preferred read replica of KIP-392 is chosen among the followers whose position is known. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface FollowerPositions {
    /** No follower position known: every consumer reads from the leader. */
    FollowerPositions NONE = (topicPartition, brokerId) -> Optional.empty();

    /** The position of follower {@code brokerId} of a partition this node leads, if known. */
    Optional<FollowerPosition> position(TopicPartition topicPartition, int brokerId);

    /**
     * A follower's log as of its last fetch. Immutable.
     *
     * @param logStartOffset the follower's log start offset
     * @param logEndOffset the follower's log end offset
     * @param lastCaughtUpTimeMs when the follower last had everything the leader had (wall-clock ms)
     */
    record FollowerPosition(long logStartOffset, long logEndOffset, long lastCaughtUpTimeMs) {
    }
}
