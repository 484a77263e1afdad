package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The bound on one controller operation (Kafka's 10,000 records): huge partition counts are refused whole with
 * Kafka's POLICY_VIOLATION and messages before any placement is built, validate-only or not; the largest requests
 * Kafka 4.4 accepts are still accepted (checked against a Kafka 4.4 broker: 9,999 partitions in one topic pass,
 * 10,000 do not, because the topic record counts too).
 */
class TopicControlLimitsTest {
    /** A liveness bound: the refusal does no work proportional to the count, so it is immediate on any machine. */
    private static final Duration REFUSAL_BOUND = Duration.ofSeconds(30);

    private final AtomicLong ids = new AtomicLong();
    private final TopicControl control = new TopicControl(new TopicControl.Defaults(3, (short) 1, true),
            configs -> Optional.empty(), () -> new UUID(7, ids.incrementAndGet()));

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

    private static CreateTopicsRequestData request(boolean validateOnly, CreatableTopic... topics) {
        return new CreateTopicsRequestData().setValidateOnly(validateOnly).setTopics(List.of(topics));
    }

    private static void assertRefusedWhole(ControllerResult<CreateTopicsResponseData> result, String message) {
        assertThat(result.records()).isEmpty();
        assertThat(result.response().topics()).isNotEmpty().allSatisfy(topic -> {
            assertThat(topic.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code());
            assertThat(topic.errorMessage()).isEqualTo(message);
            assertThat(topic.numPartitions()).isEqualTo(-1);
            assertThat(topic.replicationFactor()).isEqualTo((short) -1);
        });
    }

    @ParameterizedTest(name = "{0} partitions, validate_only={1}")
    @CsvSource({"268435456, true", "268435456, false", "1073741824, true", "1073741824, false",
            "2147483647, true", "2147483647, false", "10001, false"})
    void hugePartitionCountsAreRefusedBeforeAnyPlacement(int partitions, boolean validateOnly) {
        MetadataImage image = withBrokers(1);
        ControllerResult<CreateTopicsResponseData> result = assertTimeoutPreemptively(REFUSAL_BOUND,
                () -> control.createTopics(image, request(validateOnly, topic("huge", partitions, 1))));
        assertRefusedWhole(result, OperationLimits.TOO_MANY_PARTITIONS);
        assertThat(ids.get()).as("no topic id drawn").isZero();
        // Nothing was created: the same name is still free.
        assertThat(control.createTopics(image, request(false, topic("huge", 1, 1))).response().topics().get(0)
                .errorCode()).isZero();
    }

    @Test
    void theTotalOverAllTopicsCountsAndEveryTopicIsRefused() {
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(withBrokers(1),
                request(false, topic("small", 1, 1), topic("a", 6000, 1), topic("b", 6000, 1)));
        assertRefusedWhole(result, OperationLimits.TOO_MANY_PARTITIONS);
        // The total comes first, even for a topic that would fail on its own (replication factor too large).
        assertRefusedWhole(control.createTopics(withBrokers(1), request(true, topic("wide", 1 << 30, 5))),
                OperationLimits.TOO_MANY_PARTITIONS);
    }

    @Test
    void aManualAssignmentCountsItsPartitions() {
        CreatableTopic assigned = topic("assigned", -1, -1);
        List<CreatableReplicaAssignment> assignments = new ArrayList<>();
        for (int partition = 0; partition <= OperationLimits.RECORDS_PER_OPERATION_MAX; partition++) {
            assignments.add(new CreatableReplicaAssignment().setPartitionIndex(partition).setBrokerIds(List.of(1)));
        }
        assigned.setAssignments(assignments);
        assertRefusedWhole(control.createTopics(withBrokers(1), request(false, assigned)),
                OperationLimits.TOO_MANY_PARTITIONS);
    }

    @ParameterizedTest(name = "validate_only={0}")
    @CsvSource({"true", "false"})
    void recordsBeyondTheBoundRefuseTheOperationAsKafkaDoes(boolean validateOnly) {
        MetadataImage image = withBrokers(1);
        // 10,000 partitions need 10,001 records with the topic record: Kafka 4.4 refuses this.
        assertRefusedWhole(control.createTopics(image, request(validateOnly, topic("ten-thousand", 10_000, 1))),
                OperationLimits.TOO_MANY_RECORDS);
        assertRefusedWhole(control.createTopics(image, request(validateOnly, topic("c", 5000, 1),
                topic("d", 4999, 1))), OperationLimits.TOO_MANY_RECORDS);
        CreatableTopic configured = topic("configured", 9999, 1).setConfigs(List.of(
                new CreatableTopicConfig().setName("retention.ms").setValue("1000")));
        assertRefusedWhole(control.createTopics(image, request(validateOnly, configured)),
                OperationLimits.TOO_MANY_RECORDS);
    }

    @Test
    void theLargestOperationKafkaAcceptsIsAccepted() {
        MetadataImage image = withBrokers(1);
        ControllerResult<CreateTopicsResponseData> dry = control.createTopics(image,
                request(true, topic("largest", 9999, 1)));
        assertThat(dry.records()).isEmpty();
        assertThat(dry.response().topics().get(0).errorCode()).isZero();
        assertThat(dry.response().topics().get(0).numPartitions()).isEqualTo(9999);

        CreatableTopic configured = topic("configured", 9998, 1).setConfigs(List.of(
                new CreatableTopicConfig().setName("retention.ms").setValue("1000")));
        ControllerResult<CreateTopicsResponseData> created = control.createTopics(image, request(false, configured));
        CreatableTopicResult result = created.response().topics().get(0);
        assertThat(result.errorCode()).isZero();
        assertThat(created.records()).hasSize(OperationLimits.RECORDS_PER_OPERATION_MAX);
        assertThat(apply(image, created.records()).topic("configured").orElseThrow().partitionCount())
                .isEqualTo(9998);
    }

    @Test
    void nonPositiveCountsKeepTheirOwnErrors() {
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(withBrokers(1),
                request(false, topic("zero", 0, 1), topic("negative", -2, 1), topic("norf", 1, -2),
                        topic("wide", 1, Short.MAX_VALUE)));
        assertThat(result.records()).isEmpty();
        List<CreatableTopicResult> topics = result.response().topics();
        assertThat(topics).extracting(CreatableTopicResult::errorCode).containsExactly(
                Errors.INVALID_PARTITIONS.code(), Errors.INVALID_PARTITIONS.code(),
                Errors.INVALID_REPLICATION_FACTOR.code(), Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(topics.get(0).errorMessage())
                .isEqualTo("Number of partitions was set to an invalid non-positive value.");
        assertThat(topics.get(3).errorMessage()).isEqualTo("Unable to replicate the partition 32767 time(s): The "
                + "target replication factor of 32767 cannot be reached because only 1 broker(s) are registered or "
                + "some brokers have all their log directories cordoned.");
    }

    private MetadataImage withTopic(String name, int partitions) {
        MetadataImage brokers = withBrokers(1);
        return apply(brokers, control.createTopics(brokers, request(false, topic(name, partitions, 1))).records());
    }

    private static CreatePartitionsRequestData grow(boolean validateOnly, String name, int count) {
        return new CreatePartitionsRequestData().setValidateOnly(validateOnly).setTopics(List.of(
                new CreatePartitionsTopic().setName(name).setCount(count).setAssignments(null)));
    }

    @ParameterizedTest(name = "to {0} partitions, validate_only={1}")
    @CsvSource({"1073741824, true", "1073741824, false", "2147483647, true", "2147483647, false",
            "10002, false"})
    void addingTooManyPartitionsIsRefusedBeforeAnyPlacement(int count, boolean validateOnly) {
        MetadataImage image = withTopic("grow", 1);
        ControllerResult<CreatePartitionsResponseData> result = assertTimeoutPreemptively(REFUSAL_BOUND,
                () -> control.createPartitions(image, grow(validateOnly, "grow", count)));
        assertThat(result.records()).isEmpty();
        CreatePartitionsTopicResult topic = result.response().results().get(0);
        assertThat(topic.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code());
        assertThat(topic.errorMessage()).isEqualTo(OperationLimits.TOO_MANY_ADDITIONAL_PARTITIONS);
    }

    @Test
    void addingExactlyTheBoundIsAccepted() {
        MetadataImage image = withTopic("grow", 1);
        ControllerResult<CreatePartitionsResponseData> result = control.createPartitions(image,
                grow(false, "grow", 1 + OperationLimits.RECORDS_PER_OPERATION_MAX));
        assertThat(result.response().results().get(0).errorCode()).isZero();
        assertThat(result.records()).hasSize(OperationLimits.RECORDS_PER_OPERATION_MAX);
    }

    @Test
    void createPartitionsKeepsKafkasOtherErrors() {
        MetadataImage image = withTopic("grow", 2);
        ControllerResult<CreatePartitionsResponseData> result = control.createPartitions(image,
                new CreatePartitionsRequestData().setTopics(List.of(
                        new CreatePartitionsTopic().setName("grow").setCount(-5).setAssignments(null),
                        new CreatePartitionsTopic().setName("grow").setCount(2).setAssignments(null),
                        new CreatePartitionsTopic().setName("missing").setCount(1 << 30).setAssignments(null))));
        assertThat(result.records()).isEmpty();
        List<CreatePartitionsTopicResult> results = result.response().results();
        assertThat(results).extracting(CreatePartitionsTopicResult::errorCode).containsExactly(
                Errors.INVALID_PARTITIONS.code(), Errors.INVALID_PARTITIONS.code(),
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(0).errorMessage())
                .isEqualTo("The topic grow currently has 2 partition(s); -5 would not be an increase.");
        assertThat(results.get(1).errorMessage()).isEqualTo("Topic already has 2 partition(s).");
    }

    @Test
    void deletingMoreTopicsThanTheBoundIsRefusedWhole() {
        MetadataDelta delta = new MetadataDelta(withBrokers(1));
        List<String> names = new ArrayList<>();
        for (int index = 0; index <= OperationLimits.RECORDS_PER_OPERATION_MAX; index++) {
            names.add("topic-" + index);
            delta.replay(new TopicRecord("topic-" + index, new UUID(3, index)), index + 1);
        }
        MetadataImage image = delta.apply();
        ControllerResult<DeleteTopicsResponseData> result = control.deleteTopics(image,
                new DeleteTopicsRequestData().setTopicNames(names));
        assertThat(result.records()).isEmpty();
        assertThat(result.response().responses()).hasSize(names.size()).allSatisfy(topic ->
                assertThat(topic.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code()));
        assertThat(control.deleteTopics(image, new DeleteTopicsRequestData().setTopicNames(names.subList(0,
                OperationLimits.RECORDS_PER_OPERATION_MAX))).records()).hasSize(OperationLimits.RECORDS_PER_OPERATION_MAX);
    }
}
