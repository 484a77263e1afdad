package io.fjord.metadata.controller;

/**
 * The bound on what one controller operation may write, Kafka's {@code MAX_RECORDS_PER_USER_OP}: an operation whose
 * records would exceed it is refused whole with POLICY_VIOLATION before any placement or record is built, so a
 * request's numbers (a partition count of 2^31-1) never turn into work or memory on the controller thread.
 *
 * <p>Constants only; thread-safe.
 */
public final class OperationLimits {
    /** The most records one operation may append (Kafka's {@code MAX_RECORDS_PER_USER_OP}). */
    public static final int RECORDS_PER_OPERATION_MAX = 10_000;

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
