package io.fjord.raft.driver;

import io.fjord.raft.RaftMessage;

/**
 * Sends the core's messages to other nodes (a transport). Delivery is best effort: the core retries what goes
 * unanswered. Implementations must be thread-safe and must not block the caller (the driver's thread).
 */
@FunctionalInterface
public interface MessageSender {
    void send(RaftMessage message);
}
