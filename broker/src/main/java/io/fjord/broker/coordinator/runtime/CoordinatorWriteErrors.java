package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.Errors;

/**
 * What a coordinator request answers when the write of its records failed, or their commit never came: Kafka's
 * mapping for coordinator operations (the group coordinator service's handling of an operation's exception), with
 * a stale leader epoch treated as a lost leadership. Stateless.
 */
final class CoordinatorWriteErrors {
    private CoordinatorWriteErrors() {
    }

    static Errors toClientError(Errors writeError) {
        return switch (writeError) {
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
