package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TopicControlTest {
    private final AtomicLong ids = new AtomicLong();
    private final TopicControl control = new TopicControl(new TopicControl.Defaults(3, (short) 1, true),
            configs -> configs.containsKey("bogus") ? Optional.of("Unknown topic config name: bogus") : Optional.empty(),
            () -> new UUID(42, ids.incrementAndGet()), new java.util.Random(42));

    private static MetadataImage withBrokers(int... brokerIds) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        for (int id : brokerIds) {
            delta.replay(new RegisterBrokerRecord(id, new UUID(0, id), List.of(), null, false), offset++);
        }
        return delta.apply();
    }

    private static MetadataImage apply(MetadataImage image, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        long offset = image.offset();
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        return delta.apply();
    }

    private static CreatableTopic topic(String name, int partitions, int replicationFactor) {
        return new CreatableTopic().setName(name).setNumPartitions(partitions)
                .setReplicationFactor((short) replicationFactor);
    }

    private static CreatableTopicResult result(CreateTopicsResponseData response, String name) {
        return response.topics().stream().filter(topic -> topic.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void createsTopicsWithDefaultsPlacementAndConfigs() {
        MetadataImage image = withBrokers(1, 2, 3);
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTopics(List.of(
                topic("orders", -1, -1),
                topic("payments", 6, 3).setConfigs(List.of(new CreatableTopicConfig().setName("retention.ms")
                        .setValue("60000")))));
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(image, request);
        assertThat(result(result.response(), "orders").errorCode()).isZero();
        assertThat(result(result.response(), "orders").numPartitions()).isEqualTo(3);
        assertThat(result(result.response(), "orders").replicationFactor()).isEqualTo((short) 1);
        assertThat(result(result.response(), "payments").numPartitions()).isEqualTo(6);
        MetadataImage after = apply(image, result.records());
        assertThat(after.topicsByName()).containsOnlyKeys("orders", "payments");
        assertThat(after.topic("payments").orElseThrow().topicId()).isEqualTo(result(result.response(), "payments").topicId());
        assertThat(after.topicConfig("payments")).containsEntry("retention.ms", "60000");
        // Leaders spread over all three brokers; every partition has three distinct replicas, all in sync.
        var partitions = after.topic("payments").orElseThrow().partitions().values();
        assertThat(partitions).allSatisfy(partition -> {
            assertThat(partition.replicas()).doesNotHaveDuplicates().hasSize(3);
            assertThat(partition.isr()).isEqualTo(partition.replicas());
            assertThat(partition.leader()).isEqualTo(partition.replicas().get(0));
        });
        assertThat(partitions.stream().map(partition -> partition.leader()).distinct()).hasSize(3);
    }

    @Test
    void refusesBadRequestsWithKafkasErrors() {
        MetadataImage image = apply(withBrokers(1), List.of(new TopicRecord("a.b", new UUID(9, 9))));
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTopics(List.of(
                topic("twice", 1, 1), topic("twice", 1, 1),
                topic("bad name!", 1, 1), topic("a.b", 1, 1), topic("a_b", 1, 1),
                topic("zero", 0, 1), topic("wide", 1, 2), topic("norf", 1, 0),
                topic("configured", 1, 1).setConfigs(List.of(new CreatableTopicConfig().setName("bogus").setValue("1"))),
                topic("assigned", 2, -1).setAssignments(List.of(new CreatableReplicaAssignment().setPartitionIndex(0)
                        .setBrokerIds(List.of(1)))),
                topic("gap", -1, -1).setAssignments(List.of(new CreatableReplicaAssignment().setPartitionIndex(1)
                        .setBrokerIds(List.of(1)))),
                topic("ghost", -1, -1).setAssignments(List.of(new CreatableReplicaAssignment().setPartitionIndex(0)
                        .setBrokerIds(List.of(7))))));
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(image, request);
        assertThat(result.records()).isEmpty();
        CreateTopicsResponseData response = result.response();
        assertThat(response.topics().get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(result(response, "bad name!").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(result(response, "a.b").errorCode()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS.code());
        assertThat(result(response, "a_b").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(result(response, "zero").errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
        assertThat(result(response, "wide").errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(result(response, "wide").errorMessage()).contains("only 1 broker(s) are registered");
        assertThat(result(response, "norf").errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(result(response, "configured").errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(result(response, "assigned").errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(result(response, "gap").errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(result(response, "ghost").errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(response.topics()).allSatisfy(topic -> assertThat(topic.numPartitions()).isEqualTo(-1));
    }

    @Test
    void validateOnlyAnswersWithoutRecords() {
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(withBrokers(1),
                new CreateTopicsRequestData().setValidateOnly(true).setTopics(List.of(topic("dry", 4, 1))));
        assertThat(result.records()).isEmpty();
        assertThat(result.response().topics().get(0).errorCode()).isZero();
        assertThat(result.response().topics().get(0).numPartitions()).isEqualTo(4);
    }

    @Test
    void deletesByNameAndIdAndReportsUnknownOnes() {
        MetadataImage image = apply(withBrokers(1), control.createTopics(withBrokers(1), new CreateTopicsRequestData()
                .setTopics(List.of(topic("one", 1, 1), topic("two", 1, 1)))).records());
        UUID twoId = image.topic("two").orElseThrow().topicId();
        ControllerResult<DeleteTopicsResponseData> result = control.deleteTopics(image, new DeleteTopicsRequestData()
                .setTopicNames(List.of("one", "missing"))
                .setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(twoId),
                        new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(new UUID(5, 5)))));
        assertThat(result.records()).containsExactlyInAnyOrder(new RemoveTopicRecord(image.topic("one").orElseThrow()
                .topicId()), new RemoveTopicRecord(twoId));
        assertThat(result.response().responses()).extracting(DeleteTopicsResponseData.DeletableTopicResult::errorCode)
                .containsExactlyInAnyOrder((short) 0, (short) 0, Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                        Errors.UNKNOWN_TOPIC_ID.code());
        assertThat(apply(image, result.records()).topicsByName()).isEmpty();

        TopicControl disabled = new TopicControl(new TopicControl.Defaults(1, (short) 1, false), configs -> Optional.empty(),
                UUID::randomUUID);
        ControllerResult<DeleteTopicsResponseData> refused = disabled.deleteTopics(image,
                new DeleteTopicsRequestData().setTopicNames(List.of("one")));
        assertThat(refused.records()).isEmpty();
        assertThat(refused.response().responses().get(0).errorCode()).isEqualTo(Errors.TOPIC_DELETION_DISABLED.code());
    }

    @Test
    void createsPartitionsOnlyUpwards() {
        MetadataImage image = apply(withBrokers(1, 2), control.createTopics(withBrokers(1, 2),
                new CreateTopicsRequestData().setTopics(List.of(topic("grow", 2, 2)))).records());
        ControllerResult<CreatePartitionsResponseData> result = control.createPartitions(image,
                new CreatePartitionsRequestData().setTopics(List.of(
                        new CreatePartitionsRequestData.CreatePartitionsTopic().setName("grow").setCount(5).setAssignments(null),
                        new CreatePartitionsRequestData.CreatePartitionsTopic().setName("grow").setCount(1).setAssignments(null),
                        new CreatePartitionsRequestData.CreatePartitionsTopic().setName("nope").setCount(3).setAssignments(null),
                        new CreatePartitionsRequestData.CreatePartitionsTopic().setName("grow").setCount(7))));
        assertThat(result.response().results()).extracting(CreatePartitionsResponseData.CreatePartitionsTopicResult::errorCode)
                .containsExactly((short) 0, Errors.INVALID_PARTITIONS.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                        Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(result.records()).hasSize(3).allSatisfy(record -> assertThat(record).isInstanceOf(PartitionRecord.class));
        MetadataImage after = apply(image, result.records());
        assertThat(after.topic("grow").orElseThrow().partitions()).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(after.topic("grow").orElseThrow().partitions().get(4).replicas()).hasSize(2).doesNotHaveDuplicates();
        assertThat(result.records()).noneMatch(record -> record instanceof ConfigRecord);
    }

    @Test
    void anyReplicationFactorUpToTheUnfencedBrokersIsAcceptedByDefault() {
        // Kafka's only bounds: the int16 field and the brokers available (no "not replicated" limit any more).
        TopicControl defaults = new TopicControl(new TopicControl.Defaults(1, (short) 1, true),
                configs -> Optional.empty(), () -> new UUID(43, ids.incrementAndGet()));
        MetadataImage image = withBrokers(1, 2, 3);
        CreatableTopic assigned = new CreatableTopic().setName("assigned").setNumPartitions(-1)
                .setReplicationFactor((short) -1);
        assigned.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1, 2)));
        ControllerResult<CreateTopicsResponseData> result = defaults.createTopics(image,
                new CreateTopicsRequestData().setTopics(List.of(topic("three", 3, 3), assigned, topic("four", 1, 4))));

        assertThat(result(result.response(), "three").errorCode()).isZero();
        assertThat(result(result.response(), "assigned").errorCode()).isZero();
        assertThat(result(result.response(), "four").errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        MetadataImage after = apply(image, result.records());
        assertThat(after.topicsByName()).containsOnlyKeys("three", "assigned");
        assertThat(after.topic("three").orElseThrow().partitions().values())
                .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));
    }
}
