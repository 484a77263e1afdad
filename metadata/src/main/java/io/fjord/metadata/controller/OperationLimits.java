package io.fjord.metadata.controller;

/**
 * The bound on what one controller operation may write, Kafka's {@code MAX_RECORDS_PER_USER_OP}: an operation whose
 * records would exceed it is refused whole with POLICY_VIOLATION before any placement or record is built, so a
 * request's numbers (a partition count of 2^31-1) never turn into work or memory on the controller thread; and the
 * bound on an operation's encoded bytes, Kafka's maximum metadata batch size.
 *
 * <p>Constants only; thread-safe.
 */
public final class OperationLimits {
    /** The most records one operation may append (Kafka's {@code MAX_RECORDS_PER_USER_OP}). */
    public static final int RECORDS_PER_OPERATION_MAX = 10_000;

    /**
     * The most bytes one operation's records may take encoded as one metadata batch: Kafka's maximum metadata batch
     * size ({@code KafkaRaftClient.MAX_BATCH_SIZE_BYTES}, 8 MiB), also the metadata log's {@code max.message.bytes}.
     * A record count within {@link #RECORDS_PER_OPERATION_MAX} can still pass it through config values (each may be
     * as long as the request allows).
     */
    public static final int RECORD_BYTES_PER_OPERATION_MAX = 8 * 1024 * 1024;

    /** Kafka's message when a CreateTopics request asks for more partitions in total than the bound. */
    public static final String TOO_MANY_PARTITIONS = "Excessively large number of partitions per request.";

    /** Kafka's message when a CreatePartitions request adds more partitions in total than the bound. */
    public static final String TOO_MANY_ADDITIONAL_PARTITIONS =
            "Excessively large number of additional partitions per request.";

    /** Kafka's message when an operation's records (topic, partition and config records) exceed the bound. */
    public static final String TOO_MANY_RECORDS = "Unable to perform excessively large batch operation.";

    private OperationLimits() {
    }
}
