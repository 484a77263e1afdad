package io.fjord.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.ClearElrRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * KIP-966's rules for {@code min.insync.replicas} in {@link ConfigControl}, Kafka 4.4's ConfigurationControlManager
 * behaviour: with ELR on, a change clears the ELR (and last known leader) of the topic, or of every topic for the
 * cluster-wide value, in the same result; per-broker values and the cluster-wide value's removal are refused.
 */
class ConfigControlElrTest {
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final String MIN_ISR = "min.insync.replicas";
    private static final UUID ORDERS_ID = new UUID(1, 1);
    private static final UUID PAYMENTS_ID = new UUID(2, 2);

    private final ConfigControl control = new ConfigControl(new ImageConfigResolver(ConfigResolver.ofStatic(
            BrokerConfig.fromMap(Map.of("node.id", "1", "process.roles", "broker,controller"))), 1));

    /** Two topics whose partition 0 has an ELR and a last known leader, partition 1 neither; ELR at the level. */
    private static MetadataImage image(int elrLevel) {
        List<MetadataRecord> records = new ArrayList<>(List.of(
                new TopicRecord("orders", ORDERS_ID),
                new PartitionRecord(ORDERS_ID, 0, List.of(1, 2, 3), List.of(1), 1, 4, 7, List.of(), List.of(),
                        PartitionRecord.RECOVERED, List.of(2), List.of(3)),
                new PartitionRecord(ORDERS_ID, 1, List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 7),
                new TopicRecord("payments", PAYMENTS_ID),
                new PartitionRecord(PAYMENTS_ID, 0, List.of(1, 2, 3), List.of(2), 2, 5, 8, List.of(), List.of(),
                        PartitionRecord.RECOVERED, List.of(3), List.of(1)),
                new ConfigRecord(ConfigRecord.TOPIC, "orders", MIN_ISR, "3")));
        if (elrLevel > 0) {
            records.add(new FeatureLevelRecord(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE,
                    (short) elrLevel));
        }
        return replay(MetadataImage.EMPTY, records);
    }

    private static MetadataImage replay(MetadataImage base, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(base);
        long offset = base.offset();
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        return delta.apply();
    }

    private static PartitionImage partition(MetadataImage image, String topic, int partition) {
        return image.topic(topic).orElseThrow().partitions().get(partition);
    }

    private static AlterConfigsResource resource(byte type, String name, AlterableConfig... configs) {
        AlterConfigsResource resource = new AlterConfigsResource().setResourceType(type).setResourceName(name);
        resource.configs().addAll(List.of(configs));
        return resource;
    }

    private static AlterableConfig config(byte operation, String name, String value) {
        return new AlterableConfig().setConfigOperation(operation).setName(name).setValue(value);
    }

    private ControllerResult<IncrementalAlterConfigsResponseData> incremental(MetadataImage image, boolean validateOnly,
                                                                             AlterConfigsResource... resources) {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(validateOnly);
        request.resources().addAll(List.of(resources));
        return control.incrementalAlterConfigs(image, request);
    }

    private static short errorCode(ControllerResult<IncrementalAlterConfigsResponseData> result) {
        return result.response().responses().get(0).errorCode();
    }

    private static String errorMessage(ControllerResult<IncrementalAlterConfigsResponseData> result) {
        return result.response().responses().get(0).errorMessage();
    }

    @Test
    void aTopicsMinIsrChangeWithElrOnClearsThatTopicsElrInTheSameResult() {
        MetadataImage before = image(1);
        var result = incremental(before, false, resource(ConfigRecord.TOPIC, "orders", config(SET, MIN_ISR, "2")));

        assertThat(errorCode(result)).isEqualTo(Errors.NONE.code());
        assertThat(result.records()).containsExactly(new ConfigRecord(ConfigRecord.TOPIC, "orders", MIN_ISR, "2"),
                new ClearElrRecord("orders"));
        MetadataImage after = replay(before, result.records());
        PartitionImage cleared = partition(after, "orders", 0);
        assertThat(cleared.eligibleLeaderReplicas()).isEmpty();
        assertThat(cleared.lastKnownElr()).isEmpty();
        // Kafka's replay merges a partition change: partition epoch + 1, leader and leader epoch as they were.
        assertThat(cleared.partitionEpoch()).isEqualTo(8);
        assertThat(cleared.leader()).isEqualTo(1);
        assertThat(cleared.leaderEpoch()).isEqualTo(4);
        assertThat(partition(after, "orders", 1)).isEqualTo(partition(before, "orders", 1));
        assertThat(partition(after, "payments", 0)).isEqualTo(partition(before, "payments", 0));
    }

    @Test
    void removingATopicsMinIsrAlsoClearsItsElr() {
        var result = incremental(image(1), false, resource(ConfigRecord.TOPIC, "orders",
                config(DELETE, MIN_ISR, null)));

        assertThat(result.records()).containsExactly(new ConfigRecord(ConfigRecord.TOPIC, "orders", MIN_ISR, null),
                new ClearElrRecord("orders"));
    }

    @Test
    void theClusterWideMinIsrChangeClearsEveryTopicsElr() {
        MetadataImage before = image(1);
        var result = incremental(before, false, resource(ConfigRecord.BROKER, "", config(SET, MIN_ISR, "2")));

        assertThat(errorCode(result)).isEqualTo(Errors.NONE.code());
        assertThat(result.records()).containsExactly(new ConfigRecord(ConfigRecord.BROKER, "", MIN_ISR, "2"),
                ClearElrRecord.allTopics());
        MetadataImage after = replay(before, result.records());
        for (String topic : List.of("orders", "payments")) {
            assertThat(partition(after, topic, 0).eligibleLeaderReplicas()).isEmpty();
            assertThat(partition(after, topic, 0).lastKnownElr()).isEmpty();
            assertThat(partition(after, topic, 0).partitionEpoch())
                    .isEqualTo(partition(before, topic, 0).partitionEpoch() + 1);
        }
    }

    @Test
    void theLegacyAlterConfigsClearsTheElrToo() {
        AlterConfigsRequestData request = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigRecord.TOPIC).setResourceName("payments");
        resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName(MIN_ISR).setValue("1"));
        request.resources().add(resource);

        ControllerResult<AlterConfigsResponseData> result = control.alterConfigs(image(1), request);

        assertThat(result.records()).containsExactly(new ConfigRecord(ConfigRecord.TOPIC, "payments", MIN_ISR, "1"),
                new ClearElrRecord("payments"));
    }

    @Test
    void withElrOffAMinIsrChangeWritesOnlyTheConfig() {
        var topic = incremental(image(0), false, resource(ConfigRecord.TOPIC, "orders", config(SET, MIN_ISR, "2")));
        var cluster = incremental(image(0), false, resource(ConfigRecord.BROKER, "", config(SET, MIN_ISR, "2")));

        assertThat(topic.records()).containsExactly(new ConfigRecord(ConfigRecord.TOPIC, "orders", MIN_ISR, "2"));
        assertThat(cluster.records()).containsExactly(new ConfigRecord(ConfigRecord.BROKER, "", MIN_ISR, "2"));
    }

    @Test
    void otherConfigsAnUnchangedValueAndValidateOnlyClearNothing() {
        var other = incremental(image(1), false, resource(ConfigRecord.TOPIC, "orders",
                config(SET, "retention.ms", "1000")));
        var unchanged = incremental(image(1), false, resource(ConfigRecord.TOPIC, "orders",
                config(SET, MIN_ISR, "3")));
        var validateOnly = incremental(image(1), true, resource(ConfigRecord.TOPIC, "orders",
                config(SET, MIN_ISR, "2")));

        assertThat(other.records()).containsExactly(new ConfigRecord(ConfigRecord.TOPIC, "orders", "retention.ms",
                "1000"));
        assertThat(unchanged.records()).isEmpty();
        assertThat(validateOnly.records()).isEmpty();
        assertThat(errorCode(validateOnly)).isEqualTo(Errors.NONE.code());
    }

    @Test
    void aPerBrokerMinIsrIsRefusedWhileElrIsOn() {
        for (AlterableConfig operation : List.of(config(SET, MIN_ISR, "2"), config(DELETE, MIN_ISR, null))) {
            for (boolean validateOnly : List.of(false, true)) {
                var result = incremental(image(1), validateOnly, resource(ConfigRecord.BROKER, "1", operation));

                assertThat(errorCode(result)).isEqualTo(Errors.INVALID_CONFIG.code());
                assertThat(errorMessage(result))
                        .isEqualTo("Broker-level min.insync.replicas cannot be altered while ELR is enabled.");
                assertThat(result.records()).isEmpty();
            }
        }
    }

    @Test
    void aPerBrokerMinIsrIsAcceptedWhileElrIsOff() {
        var result = incremental(image(0), false, resource(ConfigRecord.BROKER, "1", config(SET, MIN_ISR, "2")));

        assertThat(errorCode(result)).isEqualTo(Errors.NONE.code());
        assertThat(result.records()).containsExactly(new ConfigRecord(ConfigRecord.BROKER, "1", MIN_ISR, "2"));
    }

    @Test
    void otherPerBrokerConfigsStayAllowedWhileElrIsOn() {
        var result = incremental(image(1), false, resource(ConfigRecord.BROKER, "1",
                config(SET, "log.retention.ms", "1000")));

        assertThat(errorCode(result)).isEqualTo(Errors.NONE.code());
        assertThat(result.records()).hasSize(1);
    }

    @Test
    void theClusterWideMinIsrCannotBeRemovedWhileElrIsOn() {
        MetadataImage withClusterValue = replay(image(1), List.of(
                new ConfigRecord(ConfigRecord.BROKER, "", MIN_ISR, "2"),
                new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", "1000")));
        var deleted = incremental(withClusterValue, false, resource(ConfigRecord.BROKER, "",
                config(DELETE, MIN_ISR, null)));
        // Kafka writes a record for a named broker config even when absent, so deleting an absent one is refused too.
        var deletedAbsent = incremental(image(1), false, resource(ConfigRecord.BROKER, "",
                config(DELETE, MIN_ISR, null)));
        // The legacy API replaces the whole set: leaving min.insync.replicas out removes it.
        AlterConfigsRequestData legacy = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigRecord.BROKER).setResourceName("");
        resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("log.retention.ms")
                .setValue("2000"));
        legacy.resources().add(resource);
        AlterConfigsResponseData.AlterConfigsResourceResponse replaced = control.alterConfigs(withClusterValue,
                legacy).response().responses().get(0);

        String message = "Cluster-level min.insync.replicas cannot be removed while ELR is enabled.";
        assertThat(errorCode(deleted)).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(errorMessage(deleted)).isEqualTo(message);
        assertThat(deleted.records()).isEmpty();
        assertThat(errorCode(deletedAbsent)).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(replaced.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(replaced.errorMessage()).isEqualTo(message);
        // Without ELR the removal is an ordinary change.
        MetadataImage elrOff = replay(withClusterValue, List.of(new FeatureLevelRecord(
                ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 0)));
        assertThat(incremental(elrOff, false, resource(ConfigRecord.BROKER, "", config(DELETE, MIN_ISR, null)))
                .records()).containsExactly(new ConfigRecord(ConfigRecord.BROKER, "", MIN_ISR, null));
    }
}
