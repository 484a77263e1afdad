package io.fjord.broker.coordinator.group;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An immutable {@link TopicMetadataView} for tests: topic names with a name-derived id and a partition count;
 * {@link #with} gives the next image.
 */
final class TestTopics implements TopicMetadataView {
    private final Map<String, Integer> partitionCounts;
    private final long version;

    private TestTopics(Map<String, Integer> partitionCounts, long version) {
        this.partitionCounts = Map.copyOf(partitionCounts);
        this.version = version;
    }

    static TestTopics of(Object... namesAndCounts) {
        TestTopics topics = new TestTopics(Map.of(), 0);
        for (int i = 0; i < namesAndCounts.length; i += 2) {
            topics = topics.with((String) namesAndCounts[i], (Integer) namesAndCounts[i + 1]);
        }
        return topics;
    }

    /** The next image, with the topic created or resized (a count of 0 deletes it). */
    TestTopics with(String name, int partitions) {
        Map<String, Integer> next = new TreeMap<>(partitionCounts);
        if (partitions == 0) {
            next.remove(name);
        } else {
            next.put(name, partitions);
        }
        return new TestTopics(next, version + 1);
    }

    static UUID id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String topicName(UUID topicId) {
        for (String name : partitionCounts.keySet()) {
            if (id(name).equals(topicId)) {
                return name;
            }
        }
        return null;
    }

    @Override
    public UUID topicId(String topicName) {
        return partitionCounts.containsKey(topicName) ? id(topicName) : null;
    }

    @Override
    public int partitionCount(UUID topicId) {
        String name = topicName(topicId);
        return name == null ? -1 : partitionCounts.get(name);
    }

    @Override
    public Collection<String> topicNames() {
        return List.copyOf(new TreeMap<>(partitionCounts).keySet());
    }

    @Override
    public long metadataVersion() {
        return version;
    }
}
