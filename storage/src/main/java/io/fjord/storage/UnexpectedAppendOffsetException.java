package io.fjord.storage;

/**
 * A follower append ({@link PartitionLog#appendAsFollower}) whose batches do not continue the log: the first batch does
 * not start at the log end offset, or a batch does not start right after the previous one. Nothing was appended; the
 * caller (a replica fetcher) should fetch again from the log end offset or truncate, as Kafka's fetcher does on its
 * exception of the same name. Thread-safe.
 */
public final class UnexpectedAppendOffsetException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long expectedOffset;
    private final long batchBaseOffset;

    public UnexpectedAppendOffsetException(long expectedOffset, long batchBaseOffset, TopicPartition partition) {
        super("batch offset " + batchBaseOffset + " does not continue the log of " + partition + " at offset "
                + expectedOffset);
        this.expectedOffset = expectedOffset;
        this.batchBaseOffset = batchBaseOffset;
    }

    /** The offset the batch had to start at. */
    public long expectedOffset() {
        return expectedOffset;
    }

    /** The base offset the offending batch carried. */
    public long batchBaseOffset() {
        return batchBaseOffset;
    }
}
