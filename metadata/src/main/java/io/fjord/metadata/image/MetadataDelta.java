package io.fjord.metadata.image;

import io.fjord.metadata.records.BrokerOffsetsRecord;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.ImageStateRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.metadata.records.UnregisterBrokerRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Replays records on top of an image and builds the next image. A record that contradicts the image (a partition of
 * an unknown topic, a second topic with a taken name, a change of a broker registration with another epoch) raises
 * {@link IllegalStateException}: the metadata log is the truth, and such a log is damaged.
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
    private final Map<String, Short> features;
    private long lastBrokerEpoch;

    public MetadataDelta(MetadataImage base) {
        this.offset = base.offset();
        this.brokers = new HashMap<>(base.brokers());
        this.topicsByName = new HashMap<>(base.topicsByName());
        this.topicsById = new HashMap<>(base.topicsById());
        this.topicConfigs = new HashMap<>(base.topicConfigs());
        this.brokerConfigs = new HashMap<>(base.brokerConfigs());
        this.groupConfigs = new HashMap<>(base.groupConfigs());
        this.nextProducerId = base.nextProducerId();
        this.features = new HashMap<>(base.features());
        this.lastBrokerEpoch = base.lastBrokerEpoch();
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
                    partition.isr(), partition.leader(), partition.leaderEpoch(), partition.partitionEpoch(),
                    partition.removingReplicas(), partition.addingReplicas(), partition.leaderRecoveryState(),
                    partition.eligibleLeaderReplicas(), partition.lastKnownElr()));
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
            // Version-0 records have no epoch: their offset stands in, as Kafka's epochs are registration offsets.
            long epoch = broker.brokerEpoch() >= 0 ? broker.brokerEpoch() : recordOffset;
            brokers.put(broker.brokerId(), new BrokerImage(broker.brokerId(), broker.incarnationId(), epoch,
                    broker.endpoints(), broker.features(), broker.rack(), broker.fenced(),
                    broker.inControlledShutdown(), recordOffset, broker.inControlledShutdown() ? recordOffset : -1));
            lastBrokerEpoch = Math.max(lastBrokerEpoch, epoch);
        } else if (record instanceof BrokerRegistrationChangeRecord change) {
            BrokerImage broker = registration(change.brokerId(), change.brokerEpoch());
            boolean fenced = switch (change.fenced()) {
                case BrokerRegistrationChangeRecord.FENCE -> true;
                case BrokerRegistrationChangeRecord.UNFENCE -> false;
                default -> broker.fenced();
            };
            // Fencing or unfencing ends a controlled shutdown: the broker either stopped or came back.
            boolean inControlledShutdown = change.fenced() == BrokerRegistrationChangeRecord.NO_CHANGE
                    ? broker.inControlledShutdown()
                    || change.inControlledShutdown() == BrokerRegistrationChangeRecord.IN_CONTROLLED_SHUTDOWN
                    : change.inControlledShutdown() == BrokerRegistrationChangeRecord.IN_CONTROLLED_SHUTDOWN;
            long controlledShutdownOffset = !inControlledShutdown ? -1
                    : broker.inControlledShutdown() ? broker.controlledShutdownOffset() : recordOffset;
            brokers.put(broker.brokerId(), broker.withState(fenced, inControlledShutdown, controlledShutdownOffset));
        } else if (record instanceof UnregisterBrokerRecord unregister) {
            registration(unregister.brokerId(), unregister.brokerEpoch());
            brokers.remove(unregister.brokerId());
        } else if (record instanceof PartitionChangeRecord change) {
            replayPartitionChange(change);
        } else if (record instanceof FeatureLevelRecord feature) {
            if (feature.featureLevel() == 0) {
                features.remove(feature.name());
            } else {
                features.put(feature.name(), feature.featureLevel());
            }
        } else if (record instanceof ProducerIdsRecord ids) {
            if (ids.nextProducerId() <= nextProducerId) {
                throw new IllegalStateException("producer ids go backwards: " + ids.nextProducerId() + " after "
                        + nextProducerId);
            }
            nextProducerId = ids.nextProducerId();
        } else if (record instanceof BrokerOffsetsRecord offsets) {
            replayBrokerOffsets(offsets);
        } else if (record instanceof ImageStateRecord state) {
            offset = Math.max(offset, state.imageOffset());
            lastBrokerEpoch = Math.max(lastBrokerEpoch, state.lastBrokerEpoch());
        }
        offset = Math.max(offset, recordOffset);
    }

    /** A snapshot's record of the offsets its registration record cannot carry. */
    private void replayBrokerOffsets(BrokerOffsetsRecord offsets) {
        BrokerImage broker = registration(offsets.brokerId(), offsets.brokerEpoch());
        if (broker.inControlledShutdown() != offsets.controlledShutdownOffset() >= 0) {
            throw new IllegalStateException("broker " + offsets.brokerId() + " has controlled shutdown offset "
                    + offsets.controlledShutdownOffset() + " while "
                    + (broker.inControlledShutdown() ? "" : "not ") + "in controlled shutdown");
        }
        brokers.put(broker.brokerId(), broker.withOffsets(offsets.registeredOffset(),
                offsets.controlledShutdownOffset()));
    }

    private BrokerImage registration(int brokerId, long brokerEpoch) {
        BrokerImage broker = brokers.get(brokerId);
        if (broker == null || broker.brokerEpoch() != brokerEpoch) {
            throw new IllegalStateException("no registration of broker " + brokerId + " with epoch " + brokerEpoch
                    + (broker == null ? "" : " (its epoch is " + broker.brokerEpoch() + ")"));
        }
        return broker;
    }

    /** Kafka's merge of a change: every change raises the partition epoch, a named leader the leader epoch. */
    private void replayPartitionChange(PartitionChangeRecord change) {
        TopicImage topic = topicsById.get(change.topicId());
        PartitionImage current = topic == null ? null : topic.partitions().get(change.partitionId());
        if (current == null) {
            throw new IllegalStateException("change of unknown partition " + change.partitionId() + " of topic id "
                    + change.topicId());
        }
        PartitionImage next = current.merge(change);
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>(topic.partitions());
        partitions.put(next.partitionId(), next);
        put(new TopicImage(topic.name(), topic.topicId(), partitions));
    }

    private void put(TopicImage topic) {
        topicsByName.put(topic.name(), topic);
        topicsById.put(topic.topicId(), topic);
    }

    public MetadataImage apply() {
        return new MetadataImage(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs,
                nextProducerId, groupConfigs, features, lastBrokerEpoch);
    }
}
