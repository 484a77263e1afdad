package io.fjord.metadata.records;

import java.util.Objects;

/**
 * Clears the eligible leader replicas and the last known leader of every partition of one topic, or of every topic
 * when {@code topicName} is empty; Kafka's ClearElrRecord (KIP-966), written with a change of
 * {@code min.insync.replicas} while ELR is on, since an ELR chosen under the old minimum no longer proves anything.
 * Replaying it is a change of each partition that had either list non-empty: both emptied, partition epoch + 1, as
 * Kafka's replay merges an empty-ELR partition change. Immutable.
 *
 * @param topicName the topic, or "" for all topics
 */
public record ClearElrRecord(String topicName) implements MetadataRecord {
    public static final short TYPE_ID = 28;

    public ClearElrRecord {
        Objects.requireNonNull(topicName, "topicName");
    }

    /** The record that clears every topic's ELR (a cluster-wide or per-broker change). */
    public static ClearElrRecord allTopics() {
        return new ClearElrRecord("");
    }

    public boolean clearsAllTopics() {
        return topicName.isEmpty();
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
