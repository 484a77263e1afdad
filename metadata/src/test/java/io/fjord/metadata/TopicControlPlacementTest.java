package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import io.fjord.protocol.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * CreateTopics and CreatePartitions place replicas rack-aware and balanced on active brokers only, honour explicit
 * assignments verbatim, and refuse bad ones with Kafka 4.4's codes and messages.
 */
class TopicControlPlacementTest {
    private final AtomicLong ids = new AtomicLong();

    private TopicControl control(long seed) {
        return new TopicControl(new TopicControl.Defaults(1, (short) 1, true), configs -> Optional.empty(),
                () -> new UUID(11, ids.incrementAndGet()), new Random(seed));
    }

    /** A registered broker: id, rack (null for none), fenced or not. */
    private record Broker(int id, String rack, boolean fenced) {
    }

    private static MetadataImage withBrokers(Broker... brokers) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        for (Broker broker : brokers) {
            delta.replay(new RegisterBrokerRecord(broker.id(), new UUID(0, broker.id()), List.of(), broker.rack(),
                    broker.fenced()), offset++);
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

    /** Three racks of two unfenced brokers (1-6) and one fenced broker per rack (7-9). */
    private static MetadataImage threeRacks() {
        return withBrokers(new Broker(1, "a", false), new Broker(2, "a", false), new Broker(3, "b", false),
                new Broker(4, "b", false), new Broker(5, "c", false), new Broker(6, "c", false),
                new Broker(7, "a", true), new Broker(8, "b", true), new Broker(9, "c", true));
    }

    private static final Map<Integer, String> RACKS = Map.of(1, "a", 2, "a", 7, "a", 3, "b", 4, "b", 8, "b", 5, "c",
            6, "c", 9, "c");

    private static String rackOf(int broker) {
        return RACKS.get(broker);
    }

    private static CreatableTopic topic(String name, int partitions, int replicationFactor) {
        return new CreatableTopic().setName(name).setNumPartitions(partitions)
                .setReplicationFactor((short) replicationFactor);
    }

    private static CreatableTopic assigned(String name, List<List<Integer>> replicas) {
        List<CreatableReplicaAssignment> assignments = new ArrayList<>();
        for (int partition = 0; partition < replicas.size(); partition++) {
            assignments.add(new CreatableReplicaAssignment().setPartitionIndex(partition)
                    .setBrokerIds(replicas.get(partition)));
        }
        return topic(name, -1, -1).setAssignments(assignments);
    }

    private static CreatableTopicResult createOne(TopicControl control, MetadataImage image, CreatableTopic topic) {
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(image,
                new CreateTopicsRequestData().setTopics(List.of(topic)));
        return result.response().topics().get(0);
    }

    private static Map<Integer, Integer> count(Collection<PartitionImage> partitions, boolean leadersOnly) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (PartitionImage partition : partitions) {
            List<Integer> counted = leadersOnly ? List.of(partition.leader()) : partition.replicas();
            counted.forEach(broker -> counts.merge(broker, 1, Integer::sum));
        }
        return counts;
    }

    @Test
    void createTopicsPlacesOnDistinctRacksBalancedAndNeverOnFencedBrokers() {
        MetadataImage image = threeRacks();
        for (long seed = 0; seed < 50; seed++) {
            ControllerResult<CreateTopicsResponseData> result = control(seed).createTopics(image,
                    new CreateTopicsRequestData().setTopics(List.of(topic("spread", 30, 3))));
            assertThat(result.response().topics().get(0).errorCode()).isZero();
            Collection<PartitionImage> partitions = apply(image, result.records()).topic("spread").orElseThrow()
                    .partitions().values();
            assertThat(partitions).hasSize(30).allSatisfy(partition -> {
                assertThat(partition.replicas()).allMatch(broker -> broker <= 6, "unfenced");
                assertThat(partition.replicas().stream().map(TopicControlPlacementTest::rackOf).distinct())
                        .hasSize(3);
                assertThat(partition.isr()).isEqualTo(partition.replicas());
                assertThat(partition.leader()).isEqualTo(partition.replicas().get(0));
            });
            // 30 partitions x 3 replicas on 6 brokers: exactly 15 each; 30 leaders: exactly 5 each.
            assertThat(count(partitions, false)).containsOnlyKeys(1, 2, 3, 4, 5, 6).allSatisfy((broker, replicas) ->
                    assertThat(replicas).isEqualTo(15));
            assertThat(count(partitions, true)).containsOnlyKeys(1, 2, 3, 4, 5, 6).allSatisfy((broker, leaders) ->
                    assertThat(leaders).isEqualTo(5));
        }
    }

    @Test
    void createPartitionsPlacesTheNewPartitionsTheSameWay() {
        MetadataImage image = threeRacks();
        TopicControl control = control(5);
        image = apply(image, control.createTopics(image, new CreateTopicsRequestData()
                .setTopics(List.of(topic("grow", 1, 3)))).records());
        ControllerResult<CreatePartitionsResponseData> grown = control.createPartitions(image,
                new CreatePartitionsRequestData().setTopics(List.of(new CreatePartitionsTopic().setName("grow")
                        .setCount(13).setAssignments(null))));
        assertThat(grown.response().results().get(0).errorCode()).isZero();
        List<PartitionImage> added = apply(image, grown.records()).topic("grow").orElseThrow().partitions()
                .tailMap(1).values().stream().toList();
        assertThat(added).hasSize(12).allSatisfy(partition -> {
            assertThat(partition.replicas()).allMatch(broker -> broker <= 6, "unfenced");
            assertThat(partition.replicas().stream().map(TopicControlPlacementTest::rackOf).distinct()).hasSize(3);
        });
        assertThat(count(added, true)).containsOnlyKeys(1, 2, 3, 4, 5, 6).allSatisfy((broker, leaders) ->
                assertThat(leaders).isEqualTo(2));
        assertThat(count(added, false)).allSatisfy((broker, replicas) -> assertThat(replicas).isEqualTo(6));
    }

    @Test
    void theSameSeedAndImageGiveTheSameRecords() {
        MetadataImage image = threeRacks();
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTopics(List.of(topic("same", 12, 2)));
        ids.set(0);
        List<MetadataRecord> first = control(42).createTopics(image, request).records();
        ids.set(0);
        assertThat(control(42).createTopics(image, request).records()).isEqualTo(first);
    }

    @Test
    void explicitAssignmentsAreHonouredVerbatimWithOnlyActiveReplicasInSync() {
        MetadataImage image = threeRacks();
        // Same rack, fenced broker first: Kafka keeps the order and leaves the fenced broker out of the ISR.
        List<List<Integer>> replicas = List.of(List.of(7, 1, 2), List.of(2, 1, 7), List.of(6, 5, 4));
        ControllerResult<CreateTopicsResponseData> result = control(1).createTopics(image,
                new CreateTopicsRequestData().setTopics(List.of(assigned("manual", replicas))));
        assertThat(result.response().topics().get(0).errorCode()).isZero();
        assertThat(result.response().topics().get(0).numPartitions()).isEqualTo(3);
        assertThat(result.response().topics().get(0).replicationFactor()).isEqualTo((short) 3);
        assertThat(result.records()).filteredOn(record -> record instanceof PartitionRecord)
                .map(record -> (PartitionRecord) record)
                .extracting(PartitionRecord::replicas, PartitionRecord::isr, PartitionRecord::leader)
                .containsExactly(
                        tuple(List.of(7, 1, 2), List.of(1, 2), 1),
                        tuple(List.of(2, 1, 7), List.of(2, 1), 2),
                        tuple(List.of(6, 5, 4), List.of(6, 5, 4), 6));

        TopicControl control = control(2);
        MetadataImage withTopic = apply(image, result.records());
        ControllerResult<CreatePartitionsResponseData> grown = control.createPartitions(withTopic,
                new CreatePartitionsRequestData().setTopics(List.of(new CreatePartitionsTopic().setName("manual")
                        .setCount(5).setAssignments(List.of(
                                new CreatePartitionsAssignment().setBrokerIds(List.of(9, 8, 3)),
                                new CreatePartitionsAssignment().setBrokerIds(List.of(1, 2, 3)))))));
        assertThat(grown.response().results().get(0).errorCode()).isZero();
        assertThat(grown.records()).map(record -> (PartitionRecord) record)
                .extracting(PartitionRecord::partitionId, PartitionRecord::replicas, PartitionRecord::isr,
                        PartitionRecord::leader)
                .containsExactly(tuple(3, List.of(9, 8, 3), List.of(3), 3),
                        tuple(4, List.of(1, 2, 3), List.of(1, 2, 3), 1));
    }

    @Test
    void badCreateTopicsAssignmentsGetKafkasCodesAndMessages() {
        MetadataImage image = threeRacks();
        TopicControl control = control(3);
        Map<CreatableTopic, String> cases = new LinkedHashMap<>();
        cases.put(assigned("rf-set", List.of(List.of(1))).setReplicationFactor((short) 1),
                "A manual partition assignment was specified, but replication factor was not set to -1.");
        cases.put(assigned("count-set", List.of(List.of(1))).setNumPartitions(1),
                "A manual partition assignment was specified, but numPartitions was not set to -1.");
        cases.put(assigned("empty", List.of(List.of())),
                "The manual partition assignment includes an empty replica list.");
        cases.put(assigned("twice", List.of(List.of(3, 1, 3))),
                "The manual partition assignment includes the broker 3 more than once.");
        cases.put(assigned("ghost", List.of(List.of(12, 1, 10))),
                "The manual partition assignment includes broker 10, but no such broker is registered.");
        cases.put(assigned("uneven", List.of(List.of(1, 3), List.of(2))),
                "The manual partition assignment includes a partition with 1 replica(s), but this is not consistent "
                        + "with previous partitions, which have 2 replica(s).");
        cases.put(assigned("uneven-before-fenced", List.of(List.of(1), List.of(8, 7))),
                "The manual partition assignment includes a partition with 2 replica(s), but this is not consistent "
                        + "with previous partitions, which have 1 replica(s).");
        cases.put(assigned("all-fenced", List.of(List.of(8, 7))),
                "All brokers specified in the manual partition assignment for partition 0 are fenced or in "
                        + "controlled shutdown.");
        cases.put(topic("repeated", -1, -1).setAssignments(List.of(
                        new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1)),
                        new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(2)))),
                "Found multiple manual partition assignments for partition 0");
        cases.put(topic("gap", -1, -1).setAssignments(List.of(
                        new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1)),
                        new CreatableReplicaAssignment().setPartitionIndex(2).setBrokerIds(List.of(2)))),
                "partitions should be a consecutive 0-based integer sequence");
        cases.forEach((topic, message) -> {
            CreatableTopicResult result = createOne(control, image, topic);
            Errors expected = message.startsWith("A manual") ? Errors.INVALID_REQUEST
                    : Errors.INVALID_REPLICA_ASSIGNMENT;
            assertThat(result.errorCode()).as(topic.name()).isEqualTo(expected.code());
            assertThat(result.errorMessage()).as(topic.name()).isEqualTo(message);
            assertThat(result.numPartitions()).isEqualTo(-1);
        });
    }

    @Test
    void badCreatePartitionsAssignmentsGetKafkasCodesAndMessages() {
        MetadataImage image = threeRacks();
        TopicControl control = control(4);
        image = apply(image, control.createTopics(image, new CreateTopicsRequestData()
                .setTopics(List.of(topic("two", 1, 2)))).records());
        Map<List<List<Integer>>, String> cases = new LinkedHashMap<>();
        cases.put(List.of(List.of(1, 1)), "The manual partition assignment includes the broker 1 more than once.");
        cases.put(List.of(List.of(1, 99)),
                "The manual partition assignment includes broker 99, but no such broker is registered.");
        cases.put(List.of(List.of(1, 2, 3)), "The manual partition assignment includes a partition with 3 "
                + "replica(s), but this is not consistent with previous partitions, which have 2 replica(s).");
        cases.put(List.of(List.of(7, 8)), "All brokers specified in the manual partition assignment for partition 1 "
                + "are fenced or in controlled shutdown.");
        cases.put(List.of(List.of(1, 2), List.of(3, 4)),
                "Attempted to add 1 additional partition(s), but only 2 assignment(s) were specified.");
        for (Map.Entry<List<List<Integer>>, String> entry : cases.entrySet()) {
            List<CreatePartitionsAssignment> assignments = entry.getKey().stream()
                    .map(replicas -> new CreatePartitionsAssignment().setBrokerIds(replicas)).toList();
            ControllerResult<CreatePartitionsResponseData> result = control.createPartitions(image,
                    new CreatePartitionsRequestData().setTopics(List.of(new CreatePartitionsTopic().setName("two")
                            .setCount(2).setAssignments(assignments))));
            CreatePartitionsTopicResult topicResult = result.response().results().get(0);
            assertThat(result.records()).isEmpty();
            assertThat(topicResult.errorCode()).as(entry.getValue()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
            assertThat(topicResult.errorMessage()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void tooFewActiveBrokersIsInvalidReplicationFactorWithKafkasMessages() {
        MetadataImage image = threeRacks();
        TopicControl control = control(6);
        CreatableTopicResult wide = createOne(control, image, topic("wide", 3, 7));
        assertThat(wide.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(wide.errorMessage()).isEqualTo("Unable to replicate the partition 7 time(s): The target "
                + "replication factor of 7 cannot be reached because only 6 broker(s) are registered or some brokers "
                + "have all their log directories cordoned.");
        MetadataImage allFenced = withBrokers(new Broker(1, null, true), new Broker(2, null, true));
        CreatableTopicResult fenced = createOne(control, allFenced, topic("fenced", 1, 1));
        assertThat(fenced.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(fenced.errorMessage()).isEqualTo("Unable to replicate the partition 1 time(s): All brokers are "
                + "currently fenced, or have all their log directories cordoned.");
        // The replication factor is checked before the partition count, as in Kafka.
        CreatableTopicResult both = createOne(control, image, topic("both", 0, 0));
        assertThat(both.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());

        // CreatePartitions answers the placer's reason without CreateTopics' prefix.
        MetadataImage withTopic = apply(image, control.createTopics(image, new CreateTopicsRequestData()
                .setTopics(List.of(topic("three", 1, 3)))).records());
        MetadataImage shrunk = apply(withTopic, List.of(new RegisterBrokerRecord(3, new UUID(0, 3), List.of(), "b",
                true), new RegisterBrokerRecord(4, new UUID(0, 4), List.of(), "b", true),
                new RegisterBrokerRecord(5, new UUID(0, 5), List.of(), "c", true),
                new RegisterBrokerRecord(6, new UUID(0, 6), List.of(), "c", true)));
        ControllerResult<CreatePartitionsResponseData> grown = control.createPartitions(shrunk,
                new CreatePartitionsRequestData().setTopics(List.of(new CreatePartitionsTopic().setName("three")
                        .setCount(2).setAssignments(null))));
        assertThat(grown.records()).isEmpty();
        assertThat(grown.response().results().get(0).errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(grown.response().results().get(0).errorMessage()).isEqualTo("The target replication factor of 3 "
                + "cannot be reached because only 2 broker(s) are registered or some brokers have all their log "
                + "directories cordoned.");
    }
}
