package io.fjord.raft.driver;

import io.fjord.raft.RaftMessage;
import io.fjord.raft.VoterSet;

/**
 * Sends the core's messages to other nodes (a transport). Delivery is best effort: the core retries what goes
 * unanswered. Implementations must be thread-safe and must not block the caller (the driver's thread).
 */
@FunctionalInterface
public interface MessageSender {
    void send(RaftMessage message);

    /**
     * The node's voter set changed (and once at start): a transport learns the voters' endpoints from it (KIP-853).
     * Called on the driver's thread; must not block.
     */
    default void votersChanged(VoterSet voters) {
    }
}
