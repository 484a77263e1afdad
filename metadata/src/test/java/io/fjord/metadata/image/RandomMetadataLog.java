package io.fjord.metadata.image;

import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerFeature;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.metadata.records.UnregisterBrokerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded generator of metadata logs that replay without contradiction: every record type, with the optional fields
 * of each set at random, offsets that grow with gaps (entries of other types between) and several records per
 * entry. Not thread-safe.
 */
final class RandomMetadataLog {
    /** One record at the offset of its entry. */
    record Step(MetadataRecord record, long offset) {
    }

    private final Random random;
    private final List<Step> steps = new ArrayList<>();
    private MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
    private MetadataImage image = MetadataImage.EMPTY;
    private long offset;

    RandomMetadataLog(long seed) {
        this.random = new Random(seed);
    }

    /** Generates {@code count} more records (a new topic's partitions come with it) and returns every step so far. */
    List<Step> generate(int count) {
        for (int index = 0; index < count; index++) {
            // 0: another record of the same entry; 1 or 2: a later entry, 2 leaving an offset for another type.
            offset += random.nextInt(3);
            for (MetadataRecord record : next()) {
                delta.replay(record, offset);
                image = delta.apply();
                delta = new MetadataDelta(image);
                steps.add(new Step(record, offset));
            }
        }
        return steps;
    }

    MetadataImage image() {
        return image;
    }

    private List<MetadataRecord> next() {
        int kind = random.nextInt(12);
        List<TopicImage> topics = new ArrayList<>(image.topicsById().values());
        topics.sort(java.util.Comparator.comparing(TopicImage::name));
        List<BrokerImage> brokers = new ArrayList<>(image.brokers().values());
        brokers.sort(java.util.Comparator.comparingInt(BrokerImage::brokerId));
        switch (kind) {
            case 0, 1 -> {
                String name = "topic-" + random.nextInt(20);
                if (image.topicsByName().containsKey(name)) {
                    break;
                }
                UUID id = new UUID(random.nextLong(), random.nextLong());
                List<MetadataRecord> records = new ArrayList<>();
                records.add(new TopicRecord(name, id));
                int partitions = random.nextInt(4);
                for (int partition = 0; partition < partitions; partition++) {
                    records.add(partitionRecord(id, partition));
                }
                return records;
            }
            case 2 -> {
                if (!topics.isEmpty()) {
                    TopicImage topic = topics.get(random.nextInt(topics.size()));
                    return List.of(partitionRecord(topic.topicId(), random.nextInt(5)));
                }
            }
            case 3 -> {
                List<TopicImage> withPartitions = topics.stream().filter(topic -> topic.partitionCount() > 0).toList();
                if (!withPartitions.isEmpty()) {
                    TopicImage topic = withPartitions.get(random.nextInt(withPartitions.size()));
                    List<Integer> ids = new ArrayList<>(topic.partitions().keySet());
                    int partition = ids.get(random.nextInt(ids.size()));
                    return List.of(new PartitionChangeRecord(topic.topicId(), partition, maybeInts(),
                            random.nextBoolean() ? PartitionChangeRecord.NO_LEADER_CHANGE : random.nextInt(6) - 1,
                            maybeInts(), maybeInts(), maybeInts(),
                            random.nextBoolean() ? PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE
                                    : (byte) random.nextInt(2),
                            maybeInts(), maybeInts()));
                }
            }
            case 4 -> {
                if (!topics.isEmpty() && random.nextInt(3) == 0) {
                    return List.of(new RemoveTopicRecord(topics.get(random.nextInt(topics.size())).topicId()));
                }
            }
            case 5, 6 -> {
                byte[] types = {ConfigRecord.TOPIC, ConfigRecord.BROKER, ConfigRecord.GROUP};
                byte type = types[random.nextInt(types.length)];
                String resource = switch (type) {
                    case ConfigRecord.TOPIC -> "topic-" + random.nextInt(20);
                    case ConfigRecord.BROKER -> random.nextInt(4) == 0 ? "" : String.valueOf(random.nextInt(4));
                    default -> "group-" + random.nextInt(4);
                };
                String value = random.nextInt(4) == 0 ? null : "value-" + random.nextInt(1000);
                return List.of(new ConfigRecord(type, resource, "key-" + random.nextInt(4), value));
            }
            case 7 -> {
                return List.of(registration());
            }
            case 8 -> {
                if (!brokers.isEmpty()) {
                    BrokerImage broker = brokers.get(random.nextInt(brokers.size()));
                    byte[] fencing = {BrokerRegistrationChangeRecord.NO_CHANGE, BrokerRegistrationChangeRecord.FENCE,
                            BrokerRegistrationChangeRecord.UNFENCE};
                    return List.of(new BrokerRegistrationChangeRecord(broker.brokerId(), broker.brokerEpoch(),
                            fencing[random.nextInt(3)], random.nextBoolean()
                                    ? BrokerRegistrationChangeRecord.IN_CONTROLLED_SHUTDOWN
                                    : BrokerRegistrationChangeRecord.NO_CHANGE));
                }
            }
            case 9 -> {
                if (!brokers.isEmpty() && random.nextInt(3) == 0) {
                    BrokerImage broker = brokers.get(random.nextInt(brokers.size()));
                    return List.of(new UnregisterBrokerRecord(broker.brokerId(), broker.brokerEpoch()));
                }
            }
            case 10 -> {
                return List.of(new FeatureLevelRecord("feature-" + random.nextInt(3), (short) random.nextInt(4)));
            }
            default -> {
                return List.of(new ProducerIdsRecord(random.nextInt(4),
                        image.nextProducerId() + 1 + random.nextInt(5000)));
            }
        }
        return List.of();
    }

    private RegisterBrokerRecord registration() {
        int brokerId = random.nextInt(5);
        List<BrokerEndpoint> endpoints = new ArrayList<>();
        for (int index = random.nextInt(3); index > 0; index--) {
            endpoints.add(new BrokerEndpoint("LISTENER-" + index, "host-" + random.nextInt(9),
                    1024 + random.nextInt(60_000), (short) random.nextInt(4)));
        }
        List<BrokerFeature> features = new ArrayList<>();
        for (int index = random.nextInt(3); index > 0; index--) {
            features.add(new BrokerFeature("feature-" + index, (short) random.nextInt(2),
                    (short) (2 + random.nextInt(3))));
        }
        String rack = random.nextBoolean() ? null : "rack-" + random.nextInt(3);
        if (random.nextInt(5) == 0) {
            // The version-0 shape: no epoch, the record's offset stands in.
            return new RegisterBrokerRecord(brokerId, new UUID(random.nextLong(), random.nextLong()), endpoints, rack,
                    random.nextBoolean());
        }
        // Epochs usually climb; sometimes one goes below the highest, which the image must still remember.
        long epoch = random.nextInt(4) == 0 ? random.nextInt(10)
                : Math.max(image.lastBrokerEpoch(), offset) + 1 + random.nextInt(100);
        return new RegisterBrokerRecord(brokerId, new UUID(random.nextLong(), random.nextLong()), epoch, endpoints,
                features, rack, random.nextBoolean(), random.nextInt(3) == 0);
    }

    private PartitionRecord partitionRecord(UUID topicId, int partition) {
        return new PartitionRecord(topicId, partition, ints(), ints(), random.nextInt(6) - 1, random.nextInt(50),
                random.nextInt(50), ints(), ints(), (byte) random.nextInt(2), ints(), ints());
    }

    private List<Integer> ints() {
        List<Integer> values = new ArrayList<>();
        for (int index = random.nextInt(4); index > 0; index--) {
            values.add(random.nextInt(6));
        }
        return values;
    }

    private List<Integer> maybeInts() {
        return random.nextBoolean() ? null : ints();
    }
}
