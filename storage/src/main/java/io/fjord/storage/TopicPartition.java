package io.fjord.storage;

/**
 * A topic name and partition number; its directory name is {@code <topic>-<partition>}. Immutable and thread-safe.
 */
public record TopicPartition(String topic, int partition) {
    public TopicPartition {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
    }

    public String directoryName() {
        return topic + "-" + partition;
    }

    /** Parses a directory name; the topic may itself contain '-'. */
    public static TopicPartition fromDirectoryName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            throw new IllegalArgumentException("not a partition directory: " + name);
        }
        return new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
    }

    @Override
    public String toString() {
        return directoryName();
    }
}
