package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.Errors;

/**
 * What a coordinator request answers when the write of its records failed, their commit never came, or (a
 * transactional write) its KIP-890 verification failed: Kafka's mapping for coordinator operations
 * ({@code CoordinatorOperationExceptionHelper}), with a stale leader epoch treated as a lost leadership. Stateless.
 */
public final class CoordinatorWriteErrors {
    private CoordinatorWriteErrors() {
    }

    public static Errors toClientError(Errors writeError) {
        return switch (writeError) {
            // A verification the transaction coordinator did not answer: older clients retry this one without a
            // coordinator lookup, and may not retry NETWORK_EXCEPTION correctly.
            case NETWORK_EXCEPTION -> Errors.COORDINATOR_LOAD_IN_PROGRESS;
            // Retriable by finding the coordinator again.
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH ->
                Errors.NOT_COORDINATOR;
            // Retriable too; the ISR may recover or the leadership move.
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> writeError;
        };
    }
}
