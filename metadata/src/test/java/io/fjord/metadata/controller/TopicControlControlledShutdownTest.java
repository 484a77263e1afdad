package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsResponseData;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A broker in controlled shutdown is not active (Kafka's {@code isActive}): new partitions are neither placed on it nor
 * led by it, as the cluster simulation found (seed 18 of {@code ClusterSimulationTest}: a topic created while a broker
 * was moving its leaderships away got that broker as a leader).
 */
class TopicControlControlledShutdownTest {
    private final AtomicLong ids = new AtomicLong();
    private final TopicControl control = new TopicControl(new TopicControl.Defaults(1, (short) 1, true),
            configs -> Optional.empty(), () -> new UUID(7, ids.incrementAndGet()), new Random(3));

    /** Brokers 1, 2 and 3, unfenced; broker 1 in controlled shutdown. */
    private static MetadataImage brokerOneShuttingDown() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        for (int id = 1; id <= 3; id++) {
            delta.replay(new RegisterBrokerRecord(id, new UUID(0, id), id, List.of(), List.of(), null, false, false),
                    offset++);
        }
        delta.replay(BrokerRegistrationChangeRecord.controlledShutdown(1, 1), offset);
        MetadataImage image = delta.apply();
        assertThat(image.brokers().get(1).inControlledShutdown()).isTrue();
        return image;
    }

    private static MetadataImage apply(MetadataImage image, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        records.forEach(record -> delta.replay(record, image.offset() + 1));
        return delta.apply();
    }

    @Test
    void placementLeavesOutABrokerInControlledShutdown() {
        MetadataImage image = brokerOneShuttingDown();
        CreateTopicsRequestData request = new CreateTopicsRequestData();
        request.topics().add(new CreatableTopic().setName("placed").setNumPartitions(12)
                .setReplicationFactor((short) 2));
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(image, request);
        assertThat(result.response().topics().get(0).errorCode()).isZero();
        for (PartitionImage partition : apply(image, result.records()).topic("placed").orElseThrow().partitions()
                .values()) {
            assertThat(partition.replicas()).doesNotContain(1);
            assertThat(partition.leader()).isNotEqualTo(1);
        }
    }

    @Test
    void anExplicitAssignmentIsNotLedByABrokerInControlledShutdown() {
        MetadataImage image = brokerOneShuttingDown();
        CreateTopicsRequestData request = new CreateTopicsRequestData();
        CreatableTopic topic = new CreatableTopic().setName("assigned").setNumPartitions(-1)
                .setReplicationFactor((short) -1);
        topic.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1, 2)));
        request.topics().add(topic);
        ControllerResult<CreateTopicsResponseData> result = control.createTopics(image, request);
        assertThat(result.response().topics().get(0).errorCode()).isZero();
        PartitionImage partition = apply(image, result.records()).topic("assigned").orElseThrow().partitions().get(0);
        assertThat(partition.replicas()).containsExactly(1, 2);
        assertThat(partition.leader()).isEqualTo(2);
        assertThat(partition.isr()).containsExactly(2);
    }
}
