package io.fjord.metadata;

/**
 * An operation's records, encoded as one metadata batch, are larger than the metadata log accepts
 * ({@link io.fjord.metadata.controller.OperationLimits#RECORD_BYTES_PER_OPERATION_MAX}); nothing was appended. The
 * message is that of Kafka's Raft layer ({@code RecordBatchTooLargeException}); Kafka 4.4's controller answers the
 * case with UNKNOWN_SERVER_ERROR.
 *
 * <p>Immutable; thread-safe.
 */
public final class MetadataBatchTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataBatchTooLargeException(long batchBytes, long batchBytesMax) {
        super("The total record(s) size of " + batchBytes + " exceeds the maximum allowed batch size of "
                + batchBytesMax);
    }
}
