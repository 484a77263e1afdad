package io.fjord.metadata.image;

import io.fjord.metadata.acl.AclsImage;
import io.fjord.metadata.records.AccessControlEntryRecord;
import io.fjord.metadata.records.BrokerOffsetsRecord;
import io.fjord.metadata.records.RemoveAccessControlEntryRecord;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ClearElrRecord;
import io.fjord.metadata.records.ClientQuotaRecord;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.records.RemoveUserScramCredentialRecord;
import io.fjord.metadata.records.UserScramCredentialRecord;
import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramMechanism;
import java.util.Collections;
import java.util.EnumMap;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.pcollections.PMap;
import org.pcollections.TreePMap;

/**
 * Replays records on top of an image and builds the next image. A record that contradicts the image (a partition of
 * an unknown topic, a second topic with a taken name, a change of a broker registration with another epoch) raises
 * {@link IllegalStateException}: the metadata log is the truth, and such a log is damaged.
 *
 * <p>The maps are persistent and shared with the base image: each record replaces only the entries it changes
 * (O(log n) each), so a delta costs in proportion to its records, not to the cluster's size.
 *
 * <p>Not thread-safe: one delta per replaying thread.
 */
public final class MetadataDelta {
    private long offset;
    private PMap<Integer, BrokerImage> brokers;
    private PMap<String, TopicImage> topicsByName;
    private PMap<UUID, TopicImage> topicsById;
    private PMap<String, Map<String, String>> topicConfigs;
    private PMap<String, Map<String, String>> brokerConfigs;
    private PMap<String, Map<String, String>> groupConfigs;
    private long nextProducerId;
    private PMap<String, Short> features;
    private long lastBrokerEpoch;
    private PMap<String, Map<ScramMechanism, ScramCredential>> scramCredentials;
    private AclsImage acls;
    private PMap<ClientQuotaEntity, Map<String, Double>> clientQuotas;
    private final MetadataImage base;
    // The keys records touched: what publishers are told changed, resolved against the base image in changes().
    private final Set<UUID> touchedTopicIds = new HashSet<>();
    private final Set<Integer> touchedBrokerIds = new HashSet<>();
    private final Set<String> touchedTopicConfigs = new HashSet<>();
    private final Set<String> touchedBrokerConfigs = new HashSet<>();
    private final Set<String> touchedGroupConfigs = new HashSet<>();

    public MetadataDelta(MetadataImage base) {
        this.base = base;
        this.offset = base.offset();
        this.brokers = MetadataImage.persistent(base.brokers());
        this.topicsByName = MetadataImage.persistent(base.topicsByName());
        this.topicsById = MetadataImage.persistent(base.topicsById());
        this.topicConfigs = MetadataImage.persistent(base.topicConfigs());
        this.brokerConfigs = MetadataImage.persistent(base.brokerConfigs());
        this.groupConfigs = MetadataImage.persistent(base.groupConfigs());
        this.nextProducerId = base.nextProducerId();
        this.features = MetadataImage.persistent(base.features());
        this.lastBrokerEpoch = base.lastBrokerEpoch();
        this.scramCredentials = MetadataImage.persistent(base.scramCredentials());
        this.acls = base.acls();
        this.clientQuotas = MetadataImage.persistent(base.clientQuotas());
    }

    /** Applies one record found at {@code recordOffset} of the metadata log. */
    public void replay(MetadataRecord record, long recordOffset) {
        if (record instanceof TopicRecord topic) {
            if (topicsByName.containsKey(topic.name()) || topicsById.containsKey(topic.topicId())) {
                throw new IllegalStateException("topic " + topic.name() + " already exists");
            }
            put(new TopicImage(topic.name(), topic.topicId(), TreePMap.empty()));
        } else if (record instanceof PartitionRecord partition) {
            TopicImage topic = topicsById.get(partition.topicId());
            if (topic == null) {
                throw new IllegalStateException("partition of unknown topic id " + partition.topicId());
            }
            put(topic.withPartition(new PartitionImage(partition.partitionId(), partition.replicas(),
                    partition.isr(), partition.leader(), partition.leaderEpoch(), partition.partitionEpoch(),
                    partition.removingReplicas(), partition.addingReplicas(), partition.leaderRecoveryState(),
                    partition.eligibleLeaderReplicas(), partition.lastKnownElr())));
        } else if (record instanceof RemoveTopicRecord remove) {
            TopicImage topic = topicsById.get(remove.topicId());
            if (topic == null) {
                throw new IllegalStateException("removal of unknown topic id " + remove.topicId());
            }
            topicsById = topicsById.minus(remove.topicId());
            topicsByName = topicsByName.minus(topic.name());
            topicConfigs = topicConfigs.minus(topic.name());
            touchedTopicIds.add(remove.topicId());
            touchedTopicConfigs.add(topic.name());
        } else if (record instanceof ConfigRecord config) {
            replayConfig(config);
        } else if (record instanceof RegisterBrokerRecord broker) {
            // Version-0 records have no epoch: their offset stands in, as Kafka's epochs are registration offsets.
            long epoch = broker.brokerEpoch() >= 0 ? broker.brokerEpoch() : recordOffset;
            putBroker(new BrokerImage(broker.brokerId(), broker.incarnationId(), epoch,
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
            putBroker(broker.withState(fenced, inControlledShutdown, controlledShutdownOffset));
        } else if (record instanceof UnregisterBrokerRecord unregister) {
            registration(unregister.brokerId(), unregister.brokerEpoch());
            brokers = brokers.minus(unregister.brokerId());
            touchedBrokerIds.add(unregister.brokerId());
        } else if (record instanceof PartitionChangeRecord change) {
            replayPartitionChange(change);
        } else if (record instanceof ClearElrRecord clear) {
            replayClearElr(clear);
        } else if (record instanceof UserScramCredentialRecord scram) {
            ScramMechanism mechanism = scramMechanism(scram.mechanism());
            Map<ScramMechanism, ScramCredential> credentials = new EnumMap<>(ScramMechanism.class);
            credentials.putAll(scramCredentials.getOrDefault(scram.name(), Map.of()));
            credentials.put(mechanism, scram.credential());
            scramCredentials = scramCredentials.plus(scram.name(), Collections.unmodifiableMap(credentials));
        } else if (record instanceof RemoveUserScramCredentialRecord remove) {
            ScramMechanism mechanism = scramMechanism(remove.mechanism());
            Map<ScramMechanism, ScramCredential> credentials = new EnumMap<>(ScramMechanism.class);
            credentials.putAll(scramCredentials.getOrDefault(remove.name(), Map.of()));
            if (credentials.remove(mechanism) == null) {
                throw new IllegalStateException("removal of unknown " + mechanism + " credential of " + remove.name());
            }
            scramCredentials = credentials.isEmpty() ? scramCredentials.minus(remove.name())
                    : scramCredentials.plus(remove.name(), Collections.unmodifiableMap(credentials));
        } else if (record instanceof AccessControlEntryRecord acl) {
            acls = acls.with(acl.id(), acl.acl());
        } else if (record instanceof RemoveAccessControlEntryRecord remove) {
            acls = acls.without(remove.id());
        } else if (record instanceof ClientQuotaRecord quota) {
            replayClientQuota(quota);
        } else if (record instanceof FeatureLevelRecord feature) {
            if (feature.featureLevel() == 0) {
                features = features.minus(feature.name());
            } else {
                features = features.plus(feature.name(), feature.featureLevel());
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
        putBroker(broker.withOffsets(offsets.registeredOffset(),
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
        put(topic.withPartition(current.merge(change)));
    }

    /**
     * Kafka's replay of a ClearElrRecord: each partition of the topic (or of every topic) with an ELR or a last known
     * leader gets both emptied as a partition change (partition epoch + 1); the others are left as they are. Clearing
     * all topics costs a pass over every partition, as in Kafka; it comes only with a cluster-wide config change.
     */
    private void replayClearElr(ClearElrRecord clear) {
        if (clear.clearsAllTopics()) {
            for (TopicImage topic : topicsById.values()) {
                clearElr(topic);
            }
            return;
        }
        TopicImage topic = topicsByName.get(clear.topicName());
        if (topic == null) {
            throw new IllegalStateException("ELR clearing of unknown topic " + clear.topicName());
        }
        clearElr(topic);
    }

    private void clearElr(TopicImage topic) {
        TopicImage cleared = topic;
        for (PartitionImage partition : topic.partitions().values()) {
            if (!partition.eligibleLeaderReplicas().isEmpty() || !partition.lastKnownElr().isEmpty()) {
                cleared = cleared.withPartition(partition.merge(new PartitionChangeRecord(topic.topicId(),
                        partition.partitionId(), null, PartitionChangeRecord.NO_LEADER_CHANGE, null, null, null,
                        PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE, List.of(), List.of())));
            }
        }
        if (cleared != topic) {
            put(cleared);
        }
    }

    /** One config override set or removed; a resource without overrides left is dropped. */
    private void replayConfig(ConfigRecord config) {
        PMap<String, Map<String, String>> configs = switch (config.resourceType()) {
            case ConfigRecord.TOPIC -> topicConfigs;
            case ConfigRecord.GROUP -> groupConfigs;
            default -> brokerConfigs;
        };
        // One resource's overrides are few: copying them is the cost of this change, not of the cluster.
        Map<String, String> overrides = new HashMap<>(configs.getOrDefault(config.resourceName(), Map.of()));
        if (config.value() == null) {
            overrides.remove(config.name());
        } else {
            overrides.put(config.name(), config.value());
        }
        configs = overrides.isEmpty() ? configs.minus(config.resourceName())
                : configs.plus(config.resourceName(), Map.copyOf(overrides));
        switch (config.resourceType()) {
            case ConfigRecord.TOPIC -> {
                topicConfigs = configs;
                touchedTopicConfigs.add(config.resourceName());
            }
            case ConfigRecord.GROUP -> {
                groupConfigs = configs;
                touchedGroupConfigs.add(config.resourceName());
            }
            default -> {
                brokerConfigs = configs;
                touchedBrokerConfigs.add(config.resourceName());
            }
        }
    }

    /** One quota of an entity set or removed; an entity without quotas left is dropped, as in Kafka's image. */
    private void replayClientQuota(ClientQuotaRecord quota) {
        Map<String, Double> values = new HashMap<>(clientQuotas.getOrDefault(quota.entity(), Map.of()));
        if (quota.remove()) {
            values.remove(quota.key());
        } else {
            values.put(quota.key(), quota.value());
        }
        clientQuotas = values.isEmpty() ? clientQuotas.minus(quota.entity())
                : clientQuotas.plus(quota.entity(), Map.copyOf(values));
    }

    private void put(TopicImage topic) {
        topicsByName = topicsByName.plus(topic.name(), topic);
        topicsById = topicsById.plus(topic.topicId(), topic);
        touchedTopicIds.add(topic.topicId());
    }

    private void putBroker(BrokerImage broker) {
        brokers = brokers.plus(broker.brokerId(), broker);
        touchedBrokerIds.add(broker.brokerId());
    }

    private static ScramMechanism scramMechanism(byte type) {
        return ScramMechanism.fromType(type).orElseThrow(
                () -> new IllegalStateException("unknown SCRAM mechanism type " + type));
    }

    /** What the records replayed so far changed against the base image; costs the number of keys they touched. */
    public MetadataChanges changes() {
        Set<UUID> changedTopicIds = new HashSet<>();
        Set<UUID> removedTopicIds = new HashSet<>();
        for (UUID topicId : touchedTopicIds) {
            if (topicsById.containsKey(topicId)) {
                changedTopicIds.add(topicId);
            } else if (base.topicsById().containsKey(topicId)) {
                removedTopicIds.add(topicId);
            }
        }
        return new MetadataChanges(changedTopicIds, removedTopicIds, touchedBrokerIds, touchedTopicConfigs,
                touchedBrokerConfigs, touchedGroupConfigs);
    }

    public MetadataImage apply() {
        return new MetadataImage(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs,
                nextProducerId, groupConfigs, features, lastBrokerEpoch, scramCredentials, acls, clientQuotas);
    }
}
