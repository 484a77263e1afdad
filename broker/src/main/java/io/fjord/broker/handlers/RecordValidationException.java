package io.fjord.broker.handlers;

import io.fjord.protocol.Errors;
import java.util.List;

/**
 * Records of a produced batch that break a topic rule (a compacted topic's key, the timestamp bounds): the whole batch
 * is refused, and the response names each bad record by its index in the batch, as Kafka's {@code record_errors} do.
 * Immutable.
 */
final class RecordValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One refused record: its index within the batch and why. */
    record RecordError(int batchIndex, String message) {
    }

    private final transient Errors error;
    private final transient List<RecordError> recordErrors;

    RecordValidationException(Errors error, String message, List<RecordError> recordErrors) {
        super(message);
        this.error = error;
        this.recordErrors = List.copyOf(recordErrors);
    }

    /** INVALID_TIMESTAMP when any record's timestamp is out of bounds, else INVALID_RECORD. */
    Errors error() {
        return error;
    }

    List<RecordError> recordErrors() {
        return recordErrors;
    }
}
