package io.fjord.broker.replica.sim;

import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.IsrControl;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The active controller of the simulation: one in-memory {@link MetadataImage}, changed only through the production
 * decision classes ({@link ClusterControl} for registrations, heartbeats and lease expiry with its
 * {@link BrokerHeartbeatTracker}; {@link ReplicationControl} for the elections when a broker is fenced or comes back;
 * {@link IsrControl} for AlterPartition), each result replayed with {@link MetadataDelta} as the metadata loader does.
 * Raft is left out (the #7 cluster simulation covers it): a result is committed at once.
 *
 * <p>Not thread-safe: the simulation's one thread owns it.
 */
final class SimController {
    static final String CLUSTER_ID = "replication-sim";

    private final SimEvents events;
    private final ReplicationControl replication = new ReplicationControl(ReplicationControl.Settings.DEFAULTS);
    private final IsrControl isrControl = new IsrControl(replication);
    private final ClusterControl cluster;
    private final Consumer<MetadataImage> published;
    private MetadataImage image = MetadataImage.EMPTY;
    private long nextOffset;

    SimController(SimEvents events, long sessionTimeoutMs, Consumer<MetadataImage> published) {
        this.events = events;
        this.cluster = new ClusterControl(new ClusterControl.Settings(CLUSTER_ID),
                new BrokerHeartbeatTracker(sessionTimeoutMs), replication);
        this.published = published;
        apply(new ControllerResult<>(List.of(new FeatureLevelRecord(
                ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1)), null));
        cluster.activate(image, events.nowMs());
    }

    MetadataImage image() {
        return image;
    }

    BrokerRegistrationResponseData register(BrokerRegistrationRequestData request) {
        BrokerRegistrationResponseData response = apply(cluster.registerBroker(image, request, events.nowMs()));
        events.note("controller: register " + request.brokerId() + " -> error " + response.errorCode() + " epoch "
                + response.brokerEpoch());
        return response;
    }

    BrokerHeartbeatResponseData heartbeat(BrokerHeartbeatRequestData request) {
        return apply(cluster.heartbeat(image, request, events.nowMs()));
    }

    AlterPartitionResponseData alterPartition(AlterPartitionRequestData request) {
        AlterPartitionResponseData response = apply(isrControl.alterPartition(image, request));
        events.note("controller: AlterPartition from " + request.brokerId() + " " + describe(request) + " -> "
                + describe(response));
        return response;
    }

    void fenceExpiredBrokers() {
        List<Integer> fenced = apply(cluster.fenceExpiredBrokers(image, events.nowMs()));
        if (!fenced.isEmpty()) {
            events.note("controller: leases expired, fenced " + fenced);
        }
    }

    /** Creates the topic with RF replicas per partition (replicas in the given order, the first leading). */
    void createTopic(String name, UUID topicId, List<List<Integer>> assignments, int minInsyncReplicas) {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, topicId));
        records.add(new ConfigRecord(ConfigRecord.TOPIC, name, ReplicationControl.MIN_INSYNC_REPLICAS,
                Integer.toString(minInsyncReplicas)));
        for (int partition = 0; partition < assignments.size(); partition++) {
            List<Integer> replicas = assignments.get(partition);
            records.add(new PartitionRecord(topicId, partition, replicas, replicas, replicas.get(0), 0, 0));
        }
        apply(new ControllerResult<>(records, null));
    }

    private <T> T apply(ControllerResult<T> result) {
        if (result.records().isEmpty()) {
            return result.response();
        }
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : result.records()) {
            delta.replay(record, nextOffset++);
            events.note("controller: " + record);
        }
        image = delta.apply();
        published.accept(image);
        return result.response();
    }

    private static String describe(AlterPartitionRequestData request) {
        StringBuilder text = new StringBuilder();
        request.topics().forEach(topic -> topic.partitions().forEach(partition -> text.append("p")
                .append(partition.partitionIndex()).append(" leaderEpoch ").append(partition.leaderEpoch())
                .append(" partitionEpoch ").append(partition.partitionEpoch()).append(" isr ")
                .append(partition.newIsrWithEpochs().stream().map(member -> member.brokerId()).toList())
                .append(' ')));
        return text.toString();
    }

    private static String describe(AlterPartitionResponseData response) {
        StringBuilder text = new StringBuilder("error " + response.errorCode() + " ");
        response.topics().forEach(topic -> topic.partitions().forEach(partition -> text.append("p")
                .append(partition.partitionIndex()).append(" error ").append(partition.errorCode()).append(" isr ")
                .append(partition.isr()).append(' ')));
        return text.toString();
    }
}
