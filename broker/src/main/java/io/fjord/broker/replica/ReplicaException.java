package io.fjord.broker.replica;

import io.fjord.protocol.Errors;

/**
 * A request a partition cannot serve in its current state, with the Kafka error the client gets
 * (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, ...). Immutable.
 */
public final class ReplicaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errors error;

    public ReplicaException(Errors error, String message) {
        super(message);
        this.error = error;
    }

    public Errors error() {
        return error;
    }
}
