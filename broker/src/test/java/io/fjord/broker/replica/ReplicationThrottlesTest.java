package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The throttles follow the metadata changes they are told of: rates from broker configs, partitions from topics'. */
class ReplicationThrottlesTest {
    private static final int NODE_ID = 2;
    private static final UUID ORDERS = new UUID(1, 1);
    private static final UUID PAYMENTS = new UUID(2, 2);

    private final ReplicationThrottles throttles = new ReplicationThrottles(
            new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of("node.id",
                    Integer.toString(NODE_ID), "process.roles", "broker,controller"))), NODE_ID),
            BrokerConfig.fromMap(Map.of("node.id", Integer.toString(NODE_ID), "process.roles", "broker,controller")),
            InstantSource.system());
    private MetadataImage image = MetadataImage.EMPTY;

    /** Applies records as the metadata loader does and publishes with the delta's changes. */
    private void apply(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        long offset = image.offset();
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        MetadataImage previous = image;
        image = delta.apply();
        throttles.publish(previous, image, delta.changes());
    }

    @Test
    void throttledReplicasNamingThisBrokerAreThrottledAndOthersAreNot() {
        apply(new TopicRecord("orders", ORDERS), new TopicRecord("payments", PAYMENTS),
                new ConfigRecord(ConfigRecord.TOPIC, "orders", ReplicationThrottles.LEADER_REPLICAS, "0:2,1:3"),
                new ConfigRecord(ConfigRecord.TOPIC, "payments", ReplicationThrottles.FOLLOWER_REPLICAS, "*"));

        assertThat(throttles.leader().isThrottled(new TopicPartition("orders", 0))).isTrue();
        assertThat(throttles.leader().isThrottled(new TopicPartition("orders", 1))).isFalse();
        assertThat(throttles.follower().isThrottled(new TopicPartition("orders", 0))).isFalse();
        assertThat(throttles.follower().isThrottled(new TopicPartition("payments", 7))).isTrue();
        assertThat(throttles.leader().isThrottled(new TopicPartition("payments", 7))).isFalse();
    }

    @Test
    void aChangeToOneTopicLeavesTheOthersAndRemovalOrDeletionUnthrottles() {
        apply(new TopicRecord("orders", ORDERS), new TopicRecord("payments", PAYMENTS),
                new ConfigRecord(ConfigRecord.TOPIC, "orders", ReplicationThrottles.LEADER_REPLICAS, "*"),
                new ConfigRecord(ConfigRecord.TOPIC, "payments", ReplicationThrottles.LEADER_REPLICAS, "*"));

        apply(new ConfigRecord(ConfigRecord.TOPIC, "orders", ReplicationThrottles.LEADER_REPLICAS, null));
        assertThat(throttles.leader().isThrottled(new TopicPartition("orders", 0))).isFalse();
        assertThat(throttles.leader().isThrottled(new TopicPartition("payments", 0))).isTrue();

        apply(new RemoveTopicRecord(PAYMENTS));
        assertThat(throttles.leader().isThrottled(new TopicPartition("payments", 0))).isFalse();
    }

    @Test
    void ratesComeFromThisBrokersOverrideElseTheClusterDefaultElseUnlimited() {
        apply(new TopicRecord("orders", ORDERS));
        assertThat(throttles.leader().rateBoundBytesPerSecond()).isEqualTo(ReplicationQuota.UNLIMITED_BYTES_PER_SECOND);

        apply(new ConfigRecord(ConfigRecord.BROKER, "", ReplicationThrottles.LEADER_RATE, "1000"),
                new ConfigRecord(ConfigRecord.BROKER, "", ReplicationThrottles.FOLLOWER_RATE, "3000"));
        assertThat(throttles.leader().rateBoundBytesPerSecond()).isEqualTo(1000);
        assertThat(throttles.follower().rateBoundBytesPerSecond()).isEqualTo(3000);

        apply(new ConfigRecord(ConfigRecord.BROKER, "3", ReplicationThrottles.LEADER_RATE, "5"),
                new ConfigRecord(ConfigRecord.BROKER, Integer.toString(NODE_ID), ReplicationThrottles.FOLLOWER_RATE,
                        "2000"));
        assertThat(throttles.leader().rateBoundBytesPerSecond()).isEqualTo(1000);
        assertThat(throttles.follower().rateBoundBytesPerSecond()).isEqualTo(2000);

        apply(new ConfigRecord(ConfigRecord.BROKER, "", ReplicationThrottles.LEADER_RATE, null));
        assertThat(throttles.leader().rateBoundBytesPerSecond()).isEqualTo(ReplicationQuota.UNLIMITED_BYTES_PER_SECOND);
    }

    @Test
    void anAttachedPublisherReadsTheWholeImage() {
        apply(new TopicRecord("orders", ORDERS),
                new ConfigRecord(ConfigRecord.TOPIC, "orders", ReplicationThrottles.FOLLOWER_REPLICAS, "3:2"),
                new ConfigRecord(ConfigRecord.BROKER, "", ReplicationThrottles.LEADER_RATE, "1000"));
        ReplicationThrottles late = new ReplicationThrottles(
                new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of("node.id", "2",
                        "process.roles", "broker,controller"))), NODE_ID),
                BrokerConfig.fromMap(Map.of("node.id", "2", "process.roles", "broker,controller")),
                InstantSource.system());

        late.publish(MetadataImage.EMPTY, image, MetadataChanges.between(MetadataImage.EMPTY, image));

        assertThat(late.follower().isThrottled(new TopicPartition("orders", 3))).isTrue();
        assertThat(late.leader().rateBoundBytesPerSecond()).isEqualTo(1000);
    }
}
