package io.fjord.metadata.controller;

import io.fjord.metadata.controller.PartitionChangeBuilder.Election;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.ElectLeadersResponseData.PartitionResult;
import io.fjord.protocol.message.ElectLeadersResponseData.ReplicaElectionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The controller's partition-state decisions as pure functions of the image: leaderships and ISR memberships moved
 * off a broker that is fenced, shuts down or is unregistered; leaderless partitions given a leader when a broker is
 * unfenced; ElectLeaders (preferred and unclean); the automatic preferred-leader rebalance. Every change is a
 * {@link PartitionChangeRecord} built by {@link PartitionChangeBuilder}: Kafka's KRaft rules without eligible leader
 * replicas (KIP-966), so the last ISR member stays in the ISR and a partition with no live ISR member has leader -1
 * unless {@code unclean.leader.election.enable} holds for its topic.
 *
 * <p>The broker-wide operations scan every partition (Kafka keeps a broker-to-partitions index; one belongs here
 * once clusters grow past what a scan costs at fencing time).
 *
 * <p>Thread-safety: stateless; call from the controller's single thread.
 */
public final class ReplicationControl {
    /** The topic config (and cluster default) allowing a leader from outside the ISR. */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    /** ElectLeaders' election types. */
    public static final byte PREFERRED = 0;
    public static final byte UNCLEAN = 1;

    /**
     * Static settings.
     *
     * @param uncleanLeaderElectionEnable        the default of {@link #UNCLEAN_LEADER_ELECTION_ENABLE} (Kafka: false)
     * @param leaderImbalancePerBrokerPercentage Kafka's {@code leader.imbalance.per.broker.percentage} (10)
     */
    public record Settings(boolean uncleanLeaderElectionEnable, int leaderImbalancePerBrokerPercentage) {
        public static final Settings DEFAULTS = new Settings(false, 10);
    }

    private final Settings settings;

    public ReplicationControl(Settings settings) {
        this.settings = settings;
    }

    /** The topic's override, else the cluster-wide dynamic default, else the static default. */
    boolean uncleanElectionEnabled(MetadataImage image, String topic) {
        String value = image.topicConfig(topic).get(UNCLEAN_LEADER_ELECTION_ENABLE);
        if (value == null) {
            value = image.brokerConfig("").get(UNCLEAN_LEADER_ELECTION_ENABLE);
        }
        return value == null ? settings.uncleanLeaderElectionEnable() : Boolean.parseBoolean(value.trim());
    }

    private static boolean active(MetadataImage image, int brokerId) {
        BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && broker.active();
    }

    /**
     * The changes taking {@code brokerId} out of every ISR and leadership (it is being fenced, entering controlled
     * shutdown or unregistered): a partition it led gets the first active ISR member in replica order, or leader -1
     * (an unclean election where the topic allows it); a partition whose only ISR member it is keeps it there.
     */
    public List<MetadataRecord> removeBroker(MetadataImage image, int brokerId) {
        IntPredicate acceptable = replica -> replica != brokerId && active(image, replica);
        List<MetadataRecord> records = new ArrayList<>();
        for (TopicImage topic : sortedTopics(image)) {
            Election election = uncleanElectionEnabled(image, topic.name()) ? Election.UNCLEAN : Election.ONLINE;
            for (PartitionImage partition : topic.partitions().values()) {
                if (partition.leader() != brokerId && !partition.isr().contains(brokerId)) {
                    continue;
                }
                List<Integer> targetIsr = partition.isr().stream().filter(replica -> replica != brokerId).toList();
                PartitionChangeBuilder.build(topic.topicId(), partition, targetIsr, acceptable, election)
                        .ifPresent(records::add);
            }
        }
        return records;
    }

    /**
     * The changes giving a leader to every leaderless partition that {@code brokerId}, about to be unfenced, can
     * lead: one where it is in the ISR, or (unclean elections allowed) any replica.
     */
    public List<MetadataRecord> brokerUnfenced(MetadataImage image, int brokerId) {
        IntPredicate acceptable = replica -> replica == brokerId || active(image, replica);
        List<MetadataRecord> records = new ArrayList<>();
        for (TopicImage topic : sortedTopics(image)) {
            Election election = uncleanElectionEnabled(image, topic.name()) ? Election.UNCLEAN : Election.ONLINE;
            for (PartitionImage partition : topic.partitions().values()) {
                if (partition.leader() == PartitionImage.NO_LEADER && partition.replicas().contains(brokerId)) {
                    PartitionChangeBuilder.build(topic.topicId(), partition, partition.isr(), acceptable, election)
                            .ifPresent(records::add);
                }
            }
        }
        return records;
    }

    /** Whether the broker leads any partition. */
    public static boolean leadsAnyPartition(MetadataImage image, int brokerId) {
        for (TopicImage topic : image.topicsById().values()) {
            for (PartitionImage partition : topic.partitions().values()) {
                if (partition.leader() == brokerId) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<TopicImage> sortedTopics(MetadataImage image) {
        // Name order keeps the records (and so the simulation) deterministic: the image's maps have no order.
        return new TreeMap<>(image.topicsByName()).values().stream().toList();
    }

    // ---------------------------------------------------------------- ElectLeaders

    /**
     * Kafka's ElectLeaders: per partition UNKNOWN_TOPIC_OR_PARTITION, ELECTION_NOT_NEEDED (a preferred election where
     * the preferred replica leads; an unclean election where there is a leader), PREFERRED_LEADER_NOT_AVAILABLE or
     * ELIGIBLE_LEADERS_NOT_AVAILABLE when no change is possible, NONE with the change written. Null topic partitions
     * mean every partition; that answer lists only the partitions where an election ran or failed (not the
     * ELECTION_NOT_NEEDED ones), and stops electing at {@link OperationLimits#RECORDS_PER_OPERATION_MAX} changes (a
     * later request continues). A request naming more partitions than that bound is refused whole with
     * POLICY_VIOLATION.
     */
    public ControllerResult<ElectLeadersResponseData> electLeaders(MetadataImage image,
                                                                   ElectLeadersRequestData request) {
        ElectLeadersResponseData response = new ElectLeadersResponseData();
        if (request.electionType() != PREFERRED && request.electionType() != UNCLEAN) {
            return new ControllerResult<>(List.of(), response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        Election election = request.electionType() == PREFERRED ? Election.PREFERRED : Election.UNCLEAN;
        List<MetadataRecord> records = new ArrayList<>();
        if (request.topicPartitions() == null) {
            for (TopicImage topic : sortedTopics(image)) {
                ReplicaElectionResult topicResult = new ReplicaElectionResult().setTopic(topic.name());
                for (int partitionId : topic.partitions().keySet()) {
                    if (records.size() >= OperationLimits.RECORDS_PER_OPERATION_MAX) {
                        break;
                    }
                    PartitionResult result = electLeader(image, topic.name(), partitionId, election, records);
                    if (result.errorCode() != Errors.ELECTION_NOT_NEEDED.code()) {
                        topicResult.partitionResult().add(result);
                    }
                }
                if (!topicResult.partitionResult().isEmpty()) {
                    response.replicaElectionResults().add(topicResult);
                }
            }
            return new ControllerResult<>(records, response);
        }
        long named = request.topicPartitions().stream().mapToLong(topic -> topic.partitions().size()).sum();
        for (ElectLeadersRequestData.TopicPartitions topic : request.topicPartitions()) {
            ReplicaElectionResult topicResult = new ReplicaElectionResult().setTopic(topic.topic());
            response.replicaElectionResults().add(topicResult);
            for (int partitionId : topic.partitions()) {
                if (named > OperationLimits.RECORDS_PER_OPERATION_MAX) {
                    topicResult.partitionResult().add(new PartitionResult().setPartitionId(partitionId)
                            .setErrorCode(Errors.POLICY_VIOLATION.code())
                            .setErrorMessage(OperationLimits.TOO_MANY_RECORDS));
                } else {
                    topicResult.partitionResult().add(electLeader(image, topic.topic(), partitionId, election,
                            records));
                }
            }
        }
        return new ControllerResult<>(records, response);
    }

    private PartitionResult electLeader(MetadataImage image, String topicName, int partitionId, Election election,
                                        List<MetadataRecord> records) {
        PartitionResult result = new PartitionResult().setPartitionId(partitionId);
        Optional<TopicImage> topic = image.topic(topicName);
        if (topic.isEmpty()) {
            return error(result, Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such topic as " + topicName);
        }
        PartitionImage partition = topic.get().partitions().get(partitionId);
        if (partition == null) {
            return error(result, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "No such partition as " + topicName + "-" + partitionId);
        }
        if (election == Election.PREFERRED && partition.leader() == partition.preferredLeader()) {
            return error(result, Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED.message());
        }
        if (election == Election.UNCLEAN && partition.leader() != PartitionImage.NO_LEADER) {
            return error(result, Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED.message());
        }
        Optional<PartitionChangeRecord> change = PartitionChangeBuilder.build(topic.get().topicId(), partition,
                partition.isr(), replica -> active(image, replica), election);
        if (change.isEmpty()) {
            Errors error = election == Election.PREFERRED ? Errors.PREFERRED_LEADER_NOT_AVAILABLE
                    : Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE;
            return error(result, error, error.message());
        }
        records.add(change.get());
        return result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
    }

    private static PartitionResult error(PartitionResult result, Errors error, String message) {
        return result.setErrorCode(error.code()).setErrorMessage(message);
    }

    // ---------------------------------------------------------------- automatic leader rebalance

    /**
     * The preferred-leader elections of {@code auto.leader.rebalance.enable}, Kafka's per-broker rule: a broker whose
     * share of partitions it prefers but does not lead exceeds {@code leader.imbalance.per.broker.percentage} gets
     * every such partition back where it is an active ISR member. The answer lists the partitions elected; at most
     * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} per call (the next call continues).
     */
    public ControllerResult<ElectLeadersResponseData> rebalanceLeaders(MetadataImage image) {
        Map<Integer, Integer> preferredCounts = new TreeMap<>();
        Map<Integer, Integer> notLedCounts = new TreeMap<>();
        for (TopicImage topic : image.topicsById().values()) {
            for (PartitionImage partition : topic.partitions().values()) {
                int preferred = partition.preferredLeader();
                if (preferred == PartitionImage.NO_LEADER) {
                    continue;
                }
                preferredCounts.merge(preferred, 1, Integer::sum);
                if (partition.leader() != preferred) {
                    notLedCounts.merge(preferred, 1, Integer::sum);
                }
            }
        }
        List<MetadataRecord> records = new ArrayList<>();
        ElectLeadersResponseData response = new ElectLeadersResponseData();
        for (TopicImage topic : sortedTopics(image)) {
            ReplicaElectionResult topicResult = new ReplicaElectionResult().setTopic(topic.name());
            for (PartitionImage partition : topic.partitions().values()) {
                int preferred = partition.preferredLeader();
                if (records.size() >= OperationLimits.RECORDS_PER_OPERATION_MAX
                        || preferred == PartitionImage.NO_LEADER || partition.leader() == preferred
                        || !imbalanced(notLedCounts.getOrDefault(preferred, 0), preferredCounts.get(preferred))
                        || !partition.isr().contains(preferred) || !active(image, preferred)) {
                    continue;
                }
                PartitionChangeBuilder.build(topic.topicId(), partition, partition.isr(),
                        replica -> active(image, replica), Election.PREFERRED).ifPresent(change -> {
                            records.add(change);
                            topicResult.partitionResult().add(new PartitionResult()
                                    .setPartitionId(partition.partitionId()).setErrorCode(Errors.NONE.code())
                                    .setErrorMessage(null));
                        });
            }
            if (!topicResult.partitionResult().isEmpty()) {
                response.replicaElectionResults().add(topicResult);
            }
        }
        return new ControllerResult<>(records, response);
    }

    private boolean imbalanced(int notLed, int preferred) {
        // Kafka compares the ratio strictly: exactly the percentage is not yet imbalanced.
        return (long) notLed * 100 > (long) settings.leaderImbalancePerBrokerPercentage() * preferred;
    }
}
