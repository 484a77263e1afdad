package io.fjord.raft.transport;

import io.fjord.protocol.Errors;

/** A Raft request or response that the node cannot take, with the error Kafka answers for it. Immutable. */
public final class InvalidRaftMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errors error;

    public InvalidRaftMessageException(Errors error, String message) {
        super(message);
        this.error = error;
    }

    public Errors error() {
        return error;
    }
}
