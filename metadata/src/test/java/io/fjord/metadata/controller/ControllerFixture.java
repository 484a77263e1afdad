package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import java.util.List;
import java.util.UUID;

/** A controller's image that tests change by applying results, as the metadata log would. Not thread-safe. */
final class ControllerFixture {
    static final String CLUSTER_ID = "cluster-1";
    final BrokerHeartbeatTracker heartbeats = new BrokerHeartbeatTracker(9000);
    final ReplicationControl replication = new ReplicationControl(ReplicationControl.Settings.DEFAULTS);
    final ClusterControl cluster = new ClusterControl(new ClusterControl.Settings(CLUSTER_ID), heartbeats,
            replication);
    MetadataImage image = MetadataImage.EMPTY;
    private long nextOffset;

    <T> T apply(ControllerResult<T> result) {
        replay(result.records());
        return result.response();
    }

    void replay(List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : records) {
            delta.replay(record, nextOffset++);
        }
        image = delta.apply();
    }

    static BrokerRegistrationRequestData registration(int brokerId, UUID incarnation) {
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setClusterId(CLUSTER_ID).setIncarnationId(incarnation).setRack(null);
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT").setHost("localhost")
                .setPort(9000 + brokerId));
        // As a Fjord broker registers: the ELR feature's levels 0-1 and transaction.version's 0-2 (a cluster that
        // finalized them needs them).
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE).setMinSupportedVersion((short) 0)
                .setMaxSupportedVersion((short) 1));
        request.features().add(new BrokerRegistrationRequestData.Feature()
                .setName(FeatureControl.TRANSACTION_VERSION).setMinSupportedVersion((short) 0)
                .setMaxSupportedVersion(FeatureControl.TRANSACTION_VERSION_MAX));
        return request;
    }

    /** Registers and unfences a broker; returns its epoch. */
    long startBroker(int brokerId, long nowMs) {
        long epoch = apply(cluster.registerBroker(image, registration(brokerId, new UUID(brokerId, nowMs)), nowMs))
                .brokerEpoch();
        apply(cluster.heartbeat(image, heartbeat(brokerId, epoch), nowMs));
        return epoch;
    }

    BrokerHeartbeatRequestData heartbeat(int brokerId, long epoch) {
        return new BrokerHeartbeatRequestData().setBrokerId(brokerId).setBrokerEpoch(epoch)
                .setCurrentMetadataOffset(image.offset());
    }

    UUID createTopic(String name, List<List<Integer>> assignments) {
        UUID topicId = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<MetadataRecord> records = new java.util.ArrayList<>();
        records.add(new TopicRecord(name, topicId));
        for (int partition = 0; partition < assignments.size(); partition++) {
            List<Integer> replicas = assignments.get(partition);
            records.add(new PartitionRecord(topicId, partition, replicas, replicas, replicas.get(0), 0, 0));
        }
        replay(records);
        return topicId;
    }

    void setTopicConfig(String topic, String name, String value) {
        replay(List.of(new ConfigRecord(ConfigRecord.TOPIC, topic, name, value)));
    }

    /** Finalizes KIP-966's feature at level 1, as a new cluster's controller does. */
    void enableEligibleLeaderReplicas() {
        replay(List.of(new FeatureLevelRecord(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1)));
    }

    /**
     * Changes a partition as an AlterPartition or an election would: its ISR ({@code null} keeps it) and its leader
     * ({@link PartitionChangeRecord#NO_LEADER_CHANGE} keeps it).
     */
    void changePartition(String topic, int partition, List<Integer> isr, int leader) {
        replay(List.of(new PartitionChangeRecord(image.topic(topic).orElseThrow().topicId(), partition, isr,
                leader)));
    }

    PartitionImage partition(String topic, int partition) {
        return image.topic(topic).orElseThrow().partitions().get(partition);
    }
}
