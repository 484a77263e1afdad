package io.fjord.metadata.image;

import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Replays records on top of an image and builds the next image. A record that contradicts the image (a partition of
 * an unknown topic, a second topic with a taken name) raises {@link IllegalStateException}: the metadata log is the
 * truth, and such a log is damaged.
 *
 * <p>Not thread-safe: one delta per replaying thread.
 */
public final class MetadataDelta {
    private long offset;
    private final Map<Integer, BrokerImage> brokers;
    private final Map<String, TopicImage> topicsByName;
    private final Map<UUID, TopicImage> topicsById;
    private final Map<String, Map<String, String>> topicConfigs;
    private final Map<String, Map<String, String>> brokerConfigs;
    private final Map<String, Map<String, String>> groupConfigs;
    private long nextProducerId;

    public MetadataDelta(MetadataImage base) {
        this.offset = base.offset();
        this.brokers = new HashMap<>(base.brokers());
        this.topicsByName = new HashMap<>(base.topicsByName());
        this.topicsById = new HashMap<>(base.topicsById());
        this.topicConfigs = new HashMap<>(base.topicConfigs());
        this.brokerConfigs = new HashMap<>(base.brokerConfigs());
        this.groupConfigs = new HashMap<>(base.groupConfigs());
        this.nextProducerId = base.nextProducerId();
    }

    /** Applies one record found at {@code recordOffset} of the metadata log. */
    public void replay(MetadataRecord record, long recordOffset) {
        if (record instanceof TopicRecord topic) {
            if (topicsByName.containsKey(topic.name()) || topicsById.containsKey(topic.topicId())) {
                throw new IllegalStateException("topic " + topic.name() + " already exists");
            }
            put(new TopicImage(topic.name(), topic.topicId(), new TreeMap<>()));
        } else if (record instanceof PartitionRecord partition) {
            TopicImage topic = topicsById.get(partition.topicId());
            if (topic == null) {
                throw new IllegalStateException("partition of unknown topic id " + partition.topicId());
            }
            TreeMap<Integer, PartitionImage> partitions = new TreeMap<>(topic.partitions());
            partitions.put(partition.partitionId(), new PartitionImage(partition.partitionId(), partition.replicas(),
                    partition.isr(), partition.leader(), partition.leaderEpoch(), partition.partitionEpoch()));
            put(new TopicImage(topic.name(), topic.topicId(), partitions));
        } else if (record instanceof RemoveTopicRecord remove) {
            TopicImage topic = topicsById.remove(remove.topicId());
            if (topic == null) {
                throw new IllegalStateException("removal of unknown topic id " + remove.topicId());
            }
            topicsByName.remove(topic.name());
            topicConfigs.remove(topic.name());
        } else if (record instanceof ConfigRecord config) {
            Map<String, Map<String, String>> configs = switch (config.resourceType()) {
                case ConfigRecord.TOPIC -> topicConfigs;
                case ConfigRecord.GROUP -> groupConfigs;
                default -> brokerConfigs;
            };
            Map<String, String> overrides = new HashMap<>(configs.getOrDefault(config.resourceName(), Map.of()));
            if (config.value() == null) {
                overrides.remove(config.name());
            } else {
                overrides.put(config.name(), config.value());
            }
            if (overrides.isEmpty()) {
                configs.remove(config.resourceName());
            } else {
                configs.put(config.resourceName(), Map.copyOf(overrides));
            }
        } else if (record instanceof RegisterBrokerRecord broker) {
            brokers.put(broker.brokerId(), new BrokerImage(broker.brokerId(), broker.incarnationId(),
                    broker.endpoints(), broker.rack(), broker.fenced()));
        } else if (record instanceof ProducerIdsRecord ids) {
            if (ids.nextProducerId() <= nextProducerId) {
                throw new IllegalStateException("producer ids go backwards: " + ids.nextProducerId() + " after "
                        + nextProducerId);
            }
            nextProducerId = ids.nextProducerId();
        }
        offset = Math.max(offset, recordOffset);
    }

    private void put(TopicImage topic) {
        topicsByName.put(topic.name(), topic);
        topicsById.put(topic.topicId(), topic);
    }

    public MetadataImage apply() {
        return new MetadataImage(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs,
                nextProducerId, groupConfigs);
    }
}
