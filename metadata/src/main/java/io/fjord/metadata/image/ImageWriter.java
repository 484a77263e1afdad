package io.fjord.metadata.image;

import io.fjord.metadata.records.AccessControlEntryRecord;
import io.fjord.metadata.records.BrokerOffsetsRecord;
import io.fjord.metadata.records.ClientQuotaRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.ImageStateRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.metadata.records.UserScramCredentialRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link MetadataImage} into the records whose replay from the empty image ({@link ImageReader}) gives an
 * equal image: the state a metadata snapshot holds. Every field survives, including those replay takes from the log
 * offsets of the records (the image's offset, a broker's registration and controlled-shutdown offsets) and those no
 * record of the log states alone (the highest broker epoch): Fjord's {@link BrokerOffsetsRecord} and
 * {@link ImageStateRecord} carry them. The records come in a fixed order (features, brokers, topics with their
 * partitions, configs, SCRAM credentials, ACLs, client quotas, producer ids, the image's state), each group sorted by
 * name or id, so equal images give equal
 * records and every node writes the same snapshot bytes for the same image.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImageWriter {
    /** A producer-id block's record names the broker that took it; the image does not keep who did. */
    static final int NO_BROKER = -1;

    private ImageWriter() {
    }

    /** The records of {@code image}, in replay order. */
    public static List<MetadataRecord> write(MetadataImage image) {
        List<MetadataRecord> records = new ArrayList<>();
        new TreeMap<>(image.features()).forEach((name, level) -> records.add(new FeatureLevelRecord(name, level)));
        new TreeMap<>(image.brokers()).values().forEach(broker -> {
            records.add(new RegisterBrokerRecord(broker.brokerId(), broker.incarnationId(), broker.brokerEpoch(),
                    broker.endpoints(), broker.features(), broker.rack(), broker.fenced(),
                    broker.inControlledShutdown()));
            records.add(new BrokerOffsetsRecord(broker.brokerId(), broker.brokerEpoch(), broker.registeredOffset(),
                    broker.controlledShutdownOffset()));
        });
        new TreeMap<>(image.topicsByName()).values().forEach(topic -> {
            records.add(new TopicRecord(topic.name(), topic.topicId()));
            topic.partitions().values().forEach(partition -> records.add(new PartitionRecord(topic.topicId(),
                    partition.partitionId(), partition.replicas(), partition.isr(), partition.leader(),
                    partition.leaderEpoch(), partition.partitionEpoch(), partition.removingReplicas(),
                    partition.addingReplicas(), partition.leaderRecoveryState(),
                    partition.eligibleLeaderReplicas(), partition.lastKnownElr())));
        });
        addConfigs(records, ConfigRecord.TOPIC, image.topicConfigs());
        addConfigs(records, ConfigRecord.BROKER, image.brokerConfigs());
        addConfigs(records, ConfigRecord.GROUP, image.groupConfigs());
        new TreeMap<>(image.scramCredentials()).forEach((user, credentials) -> new TreeMap<>(credentials).forEach(
                (mechanism, credential) -> records.add(new UserScramCredentialRecord(user, mechanism.type(),
                        credential))));
        new TreeMap<>(image.acls().byId()).forEach((id, acl) -> records.add(AccessControlEntryRecord.of(id, acl)));
        new TreeMap<>(image.clientQuotas()).forEach((entity, values) -> new TreeMap<>(values).forEach(
                (key, value) -> records.add(new ClientQuotaRecord(entity, key, value, false))));
        if (image.nextProducerId() > 0) {
            // Replay refuses a block that does not move the next id forward, and the empty image's is 0.
            records.add(new ProducerIdsRecord(NO_BROKER, image.nextProducerId()));
        }
        records.add(new ImageStateRecord(image.offset(), image.lastBrokerEpoch()));
        return records;
    }

    private static void addConfigs(List<MetadataRecord> records, byte resourceType,
            Map<String, Map<String, String>> configs) {
        new TreeMap<>(configs).forEach((resourceName, overrides) -> new TreeMap<>(overrides).forEach(
                (name, value) -> records.add(new ConfigRecord(resourceType, resourceName, name, value))));
    }
}
