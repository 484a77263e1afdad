package io.fjord.protocol.records;

/**
 * A batch that may not be appended, with the Kafka error a client should get for it.
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordBatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The Kafka error each rejection maps to; the broker turns the name into the wire error code. */
    public enum Kind {
        CORRUPT_MESSAGE,
        INVALID_RECORD,
        RECORD_TOO_LARGE,
        UNSUPPORTED_FOR_MESSAGE_FORMAT,
        INVALID_TIMESTAMP
    }

    private final Kind kind;

    public RecordBatchException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
