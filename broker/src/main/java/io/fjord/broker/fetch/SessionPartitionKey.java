package io.fjord.broker.fetch;

import java.util.UUID;

/**
 * How a fetch session names a partition: by topic id in sessions of Fetch v13 and later ({@code topicName} null),
 * by topic name before ({@code topicId} the zero UUID). Immutable and thread-safe.
 */
record SessionPartitionKey(UUID topicId, String topicName, int partition) {
    static final UUID ZERO_UUID = new UUID(0L, 0L);

    static SessionPartitionKey byId(UUID topicId, int partition) {
        return new SessionPartitionKey(topicId, null, partition);
    }

    static SessionPartitionKey byName(String topicName, int partition) {
        return new SessionPartitionKey(ZERO_UUID, topicName, partition);
    }

    /** Identifies the topic, for grouping partitions of one topic in a response. */
    Object topicKey() {
        return topicName != null ? topicName : topicId;
    }
}
