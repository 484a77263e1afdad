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
        MESSAGE_TOO_LARGE,
        UNSUPPORTED_FOR_MESSAGE_FORMAT,
        INVALID_TIMESTAMP,
        /** An idempotent batch whose sequence does not continue its producer's last one. */
        OUT_OF_ORDER_SEQUENCE_NUMBER,
        /** An idempotent batch from an older producer epoch than the partition has seen. */
        INVALID_PRODUCER_EPOCH,
        /** A repeat of an earlier batch inside an append of several batches (a single repeated batch is no error). */
        DUPLICATE_SEQUENCE_NUMBER,
        /** A transaction marker from a coordinator epoch older than the last marker's (a zombie coordinator). */
        TRANSACTION_COORDINATOR_FENCED,
        /** A transactional batch neither part of an ongoing transaction nor verified with the coordinator (KIP-890). */
        INVALID_TXN_STATE
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
