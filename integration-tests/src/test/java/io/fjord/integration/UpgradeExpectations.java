package io.fjord.integration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What a node started on an upgrade fixture must show: first the fixture's manifest, then what the test itself wrote
 * on top of it (records, producers, commits), so the same checks run before and after a restart. Not thread-safe.
 */
final class UpgradeExpectations {
    /** A producer's state on one partition: its id, epoch, last sequence, last batch's offset and timestamp. */
    record ProducerExpectation(long producerId, int epoch, int lastSequence, long lastOffset, long lastTimestampMs) {
    }

    private final FixtureManifest manifest;
    private final List<FixtureRecord> records;
    private final Map<String, NavigableMap<String, String>> committedOffsets = new HashMap<>();
    /** Per partition, per producer name. */
    private final Map<TopicPartition, Map<String, ProducerExpectation>> producers = new HashMap<>();
    private final Map<TopicPartition, Integer> producerCounts = new HashMap<>();

    UpgradeExpectations(FixtureManifest manifest) {
        this.manifest = manifest;
        this.records = new ArrayList<>(manifest.records());
        for (String group : List.of(UpgradeFixtureGeneratorIT.CLASSIC_GROUP,
                UpgradeFixtureGeneratorIT.CONSUMER_GROUP)) {
            committedOffsets.put(group, manifest.withPrefix("group." + group + ".offset."));
        }
        manifest.withPrefix("producer.").forEach((key, value) -> {
            String[] place = key.split("\\.");
            if (place.length != 3) {
                return; // producer.NAME.id and producer.NAME.epoch
            }
            String[] fields = value.split("\\|");
            producers.computeIfAbsent(new TopicPartition(place[1], Integer.parseInt(place[2])),
                    partition -> new HashMap<>()).put(place[0], new ProducerExpectation(
                    manifest.getLong("producer." + place[0] + ".id"),
                    (int) manifest.getLong("producer." + place[0] + ".epoch"), Integer.parseInt(fields[0]),
                    Long.parseLong(fields[1]), Long.parseLong(fields[2])));
        });
        manifest.withPrefix("producers.").forEach((key, value) -> producerCounts.put(partition(key),
                Integer.parseInt(value)));
    }

    FixtureManifest manifest() {
        return manifest;
    }

    /** Every partition of the fixture's topics, in name order. */
    List<TopicPartition> partitions() {
        List<TopicPartition> partitions = new ArrayList<>();
        manifest.withPrefix("end-offset.").keySet().forEach(key -> partitions.add(partition(key)));
        return partitions;
    }

    /** The records of one partition, in offset order. */
    List<FixtureRecord> records(TopicPartition partition) {
        return records.stream().filter(record -> record.topic().equals(partition.topic())
                && record.partition() == partition.partition())
                .sorted((left, right) -> Long.compare(left.offset(), right.offset())).toList();
    }

    long endOffset(TopicPartition partition) {
        List<FixtureRecord> written = records(partition);
        return written.isEmpty() ? 0 : written.get(written.size() - 1).offset() + 1;
    }

    void addRecord(FixtureRecord record) {
        records.add(record);
    }

    /** Committed offsets of a group: topic.partition to offset|metadata. */
    NavigableMap<String, String> committedOffsets(String group) {
        return new TreeMap<>(committedOffsets.get(group));
    }

    void commit(String group, TopicPartition partition, long offset, String metadata) {
        committedOffsets.get(group).put(partition.topic() + "." + partition.partition(), offset + "|" + metadata);
    }

    Map<TopicPartition, Map<String, ProducerExpectation>> producers() {
        return producers;
    }

    int producerCount(TopicPartition partition) {
        return producerCounts.getOrDefault(partition, 0);
    }

    /** A producer's new last batch on a partition; a producer new there also adds to the partition's count. */
    void producerWrote(TopicPartition partition, String name, ProducerExpectation state) {
        if (producers.computeIfAbsent(partition, key -> new HashMap<>()).put(name, state) == null) {
            producerCounts.merge(partition, 1, Integer::sum);
        }
    }

    private static TopicPartition partition(String topicDotPartition) {
        int dot = topicDotPartition.lastIndexOf('.');
        return new TopicPartition(topicDotPartition.substring(0, dot),
                Integer.parseInt(topicDotPartition.substring(dot + 1)));
    }
}
