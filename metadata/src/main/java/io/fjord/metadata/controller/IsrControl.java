package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionRequestData.BrokerState;
import io.fjord.protocol.message.AlterPartitionResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AlterPartition (API key 56, versions 2-3; KIP-497, KIP-841, KIP-903): a partition's leader proposes a new ISR and
 * leader recovery state, and the controller checks it as Kafka's ReplicationControlManager does, in this order:
 * the sender's broker epoch (STALE_BROKER_EPOCH for the whole request), then per partition UNKNOWN_TOPIC_ID (an
 * unknown topic id), UNKNOWN_TOPIC_OR_PARTITION, NOT_CONTROLLER (a leader or partition epoch above this
 * controller's: it is likely stale), FENCED_LEADER_EPOCH (a lower leader epoch), INVALID_REQUEST (the sender does not
 * lead), INVALID_UPDATE_VERSION (a lower partition epoch), INVALID_REQUEST (an ISR with a non-replica, a duplicate
 * or without the leader; RECOVERING with more than one member; RECOVERED going back to RECOVERING) and
 * INELIGIBLE_REPLICA (a member unregistered, fenced, in controlled shutdown, or named with a broker epoch that is not
 * its registration's; -1 skips that check, as version 2 does for every member). An accepted change is written by
 * {@link PartitionChangeBuilder} (with KIP-966's ELR rules when enabled) and answered with the partition's new leader,
 * epochs, ISR and recovery state; a proposal that changes nothing is answered with the current state. When the change
 * elects another leader (Kafka: a reassignment it completes) the answer is NEW_LEADER_ELECTED.
 *
 * <p>A partition named twice is checked the second time against the state the first one produced. At most
 * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} partitions are decided per request; the others get
 * OPERATION_NOT_ATTEMPTED, which leaves the leader to propose them again.
 *
 * <p>Thread-safety: stateless apart from the {@link ReplicationControl} it shares; call from the controller's single
 * thread.
 */
public final class IsrControl {
    private static final Logger LOG = LoggerFactory.getLogger(IsrControl.class);

    private final ReplicationControl replication;

    public IsrControl(ReplicationControl replication) {
        this.replication = replication;
    }

    public ControllerResult<AlterPartitionResponseData> alterPartition(MetadataImage image,
                                                                       AlterPartitionRequestData request) {
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        BrokerImage sender = image.brokers().get(request.brokerId());
        if (sender == null || sender.brokerEpoch() != request.brokerEpoch()) {
            LOG.info("Refusing AlterPartition from broker {} with epoch {}: {}", request.brokerId(),
                    request.brokerEpoch(), sender == null ? "not registered" : "its epoch is " + sender.brokerEpoch());
            return new ControllerResult<>(List.of(), response.setErrorCode(Errors.STALE_BROKER_EPOCH.code()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        // What this request changed so far: a partition named again is checked against its new state.
        Map<PartitionKey, PartitionImage> changed = new HashMap<>();
        int decided = 0;
        for (AlterPartitionRequestData.TopicData topicData : request.topics()) {
            AlterPartitionResponseData.TopicData topicResult = new AlterPartitionResponseData.TopicData()
                    .setTopicId(topicData.topicId());
            response.topics().add(topicResult);
            Optional<TopicImage> topic = image.topic(topicData.topicId());
            for (AlterPartitionRequestData.PartitionData partitionData : topicData.partitions()) {
                AlterPartitionResponseData.PartitionData result = new AlterPartitionResponseData.PartitionData()
                        .setPartitionIndex(partitionData.partitionIndex());
                topicResult.partitions().add(result);
                if (decided >= OperationLimits.RECORDS_PER_OPERATION_MAX) {
                    result.setErrorCode(Errors.OPERATION_NOT_ATTEMPTED.code());
                    continue;
                }
                decided++;
                if (topic.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    continue;
                }
                PartitionKey key = new PartitionKey(topicData.topicId(), partitionData.partitionIndex());
                PartitionImage partition = changed.getOrDefault(key,
                        topic.get().partitions().get(partitionData.partitionIndex()));
                List<BrokerState> newIsr = newIsr(partitionData);
                Errors error = validate(image, request.brokerId(), partition, partitionData, newIsr);
                if (error != Errors.NONE) {
                    LOG.info("Refusing AlterPartition from broker {} for {}-{}: {}", request.brokerId(),
                            topic.get().name(), partitionData.partitionIndex(), error);
                    result.setErrorCode(error.code());
                    continue;
                }
                Optional<PartitionChangeRecord> change = replication.builder(image, topic.get(), partition,
                                replica -> ReplicationControl.active(image, replica))
                        .targetIsr(newIsr.stream().map(BrokerState::brokerId).toList())
                        .targetLeaderRecoveryState(partitionData.leaderRecoveryState()).build();
                if (change.isPresent()) {
                    records.add(change.get());
                    partition = partition.merge(change.get());
                    changed.put(key, partition);
                    int leader = change.get().leader();
                    if (leader != PartitionChangeRecord.NO_LEADER_CHANGE && leader != request.brokerId()) {
                        // The sender must learn the new leader from the metadata before it proposes again.
                        result.setErrorCode(Errors.NEW_LEADER_ELECTED.code());
                        continue;
                    }
                }
                result.setErrorCode(Errors.NONE.code()).setLeaderId(partition.leader())
                        .setLeaderEpoch(partition.leaderEpoch()).setIsr(partition.isr())
                        .setLeaderRecoveryState(partition.leaderRecoveryState())
                        .setPartitionEpoch(partition.partitionEpoch());
            }
        }
        return new ControllerResult<>(records, response);
    }

    private record PartitionKey(UUID topicId, int partitionId) {
    }

    /** Version 3's members with their epochs; version 2's without (-1: not checked). */
    private static List<BrokerState> newIsr(AlterPartitionRequestData.PartitionData partitionData) {
        if (!partitionData.newIsrWithEpochs().isEmpty()) {
            return partitionData.newIsrWithEpochs();
        }
        List<BrokerState> members = new ArrayList<>(partitionData.newIsr().size());
        for (int brokerId : partitionData.newIsr()) {
            members.add(new BrokerState().setBrokerId(brokerId).setBrokerEpoch(-1));
        }
        return members;
    }

    private static Errors validate(MetadataImage image, int senderId, PartitionImage partition,
                                   AlterPartitionRequestData.PartitionData request, List<BrokerState> newIsr) {
        if (partition == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (request.leaderEpoch() > partition.leaderEpoch() || request.partitionEpoch() > partition.partitionEpoch()) {
            return Errors.NOT_CONTROLLER;
        }
        if (request.leaderEpoch() < partition.leaderEpoch()) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (senderId != partition.leader()) {
            return Errors.INVALID_REQUEST;
        }
        if (request.partitionEpoch() < partition.partitionEpoch()) {
            return Errors.INVALID_UPDATE_VERSION;
        }
        Set<Integer> members = new HashSet<>();
        for (BrokerState member : newIsr) {
            if (!partition.replicas().contains(member.brokerId()) || !members.add(member.brokerId())) {
                return Errors.INVALID_REQUEST;
            }
        }
        if (!members.contains(partition.leader())) {
            return Errors.INVALID_REQUEST;
        }
        byte recoveryState = request.leaderRecoveryState();
        if (recoveryState != PartitionRecord.RECOVERED && recoveryState != PartitionRecord.RECOVERING) {
            return Errors.INVALID_REQUEST;
        }
        if (recoveryState == PartitionRecord.RECOVERING && members.size() > 1) {
            return Errors.INVALID_REQUEST;
        }
        if (partition.leaderRecoveryState() == PartitionRecord.RECOVERED
                && recoveryState == PartitionRecord.RECOVERING) {
            return Errors.INVALID_REQUEST;
        }
        for (BrokerState member : newIsr) {
            BrokerImage broker = image.brokers().get(member.brokerId());
            if (broker == null || broker.inControlledShutdown() || broker.fenced()
                    || member.brokerEpoch() != -1 && member.brokerEpoch() != broker.brokerEpoch()) {
                return Errors.INELIGIBLE_REPLICA;
            }
        }
        return Errors.NONE;
    }
}
