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
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The controller's partition-state decisions as pure functions of the image: leaderships and ISR memberships moved
 * off a broker that is fenced, shuts down or is unregistered (KIP-841: such a broker leaves every ISR); ISR and ELR
 * memberships dropped for a broker that restarted after an unclean shutdown; leaderless partitions given a leader
 * when a broker is unfenced (a broker rejoins ISRs otherwise only by its leader's AlterPartition, {@link IsrControl});
 * ElectLeaders (preferred and unclean); the automatic preferred-leader rebalance. Every change is a
 * {@link PartitionChangeRecord} built by {@link PartitionChangeBuilder}: Kafka's KRaft rules with eligible leader
 * replicas (KIP-966) when the feature {@value #ELIGIBLE_LEADER_REPLICAS_FEATURE} is at level 1 or more, and a
 * partition with no eligible member has leader -1 unless {@code unclean.leader.election.enable} holds for its topic.
 *
 * <p>The broker-wide operations scan every partition (Kafka keeps a broker-to-partitions index; one belongs here
 * once clusters grow past what a scan costs at fencing time).
 *
 * <p>Thread-safety: stateless; call from the controller's single thread.
 */
public final class ReplicationControl {
    /** The topic config (and cluster default) allowing a leader from outside the ISR. */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    /** The topic config (and cluster default) below which the ISR's leavers join the ELR. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    /** KIP-966's feature; level 1 turns eligible leader replicas on (Kafka 4.1+'s default for new clusters). */
    public static final String ELIGIBLE_LEADER_REPLICAS_FEATURE = "eligible.leader.replicas.version";
    /** ElectLeaders' election types. */
    public static final byte PREFERRED = 0;
    public static final byte UNCLEAN = 1;

    /**
     * Static settings.
     *
     * @param uncleanLeaderElectionEnable        the default of {@link #UNCLEAN_LEADER_ELECTION_ENABLE} (Kafka: false)
     * @param leaderImbalancePerBrokerPercentage Kafka's {@code leader.imbalance.per.broker.percentage} (10)
     * @param minInsyncReplicas                  the default of {@link #MIN_INSYNC_REPLICAS} (Kafka: 1)
     */
    public record Settings(boolean uncleanLeaderElectionEnable, int leaderImbalancePerBrokerPercentage,
                           int minInsyncReplicas) {
        public static final Settings DEFAULTS = new Settings(false, 10, 1);

        /** Settings with {@code min.insync.replicas} at Kafka's default, 1. */
        public Settings(boolean uncleanLeaderElectionEnable, int leaderImbalancePerBrokerPercentage) {
            this(uncleanLeaderElectionEnable, leaderImbalancePerBrokerPercentage, 1);
        }
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

    /** Whether KIP-966's eligible leader replicas are on: the feature is finalized at level 1 or more. */
    public static boolean eligibleLeaderReplicasEnabled(MetadataImage image) {
        return image.features().getOrDefault(ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 0) >= 1;
    }

    /**
     * Kafka's effective min ISR of a topic: its override, else the cluster-wide dynamic default, else the static
     * default, and never more than the partition's replication factor (a value that does not parse, which config
     * validation keeps out of the log, counts as the static default).
     */
    int effectiveMinIsr(MetadataImage image, String topic, int replicationFactor) {
        String value = image.topicConfig(topic).get(MIN_INSYNC_REPLICAS);
        if (value == null) {
            value = image.brokerConfig("").get(MIN_INSYNC_REPLICAS);
        }
        int minIsr = settings.minInsyncReplicas();
        if (value != null) {
            try {
                minIsr = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                minIsr = settings.minInsyncReplicas();
            }
        }
        return Math.max(1, Math.min(minIsr, replicationFactor));
    }

    /** A builder for one partition of {@code topic} with the cluster's and topic's election rules. */
    PartitionChangeBuilder builder(MetadataImage image, TopicImage topic, PartitionImage partition,
                                   IntPredicate acceptable) {
        Election election = uncleanElectionEnabled(image, topic.name()) ? Election.UNCLEAN : Election.ONLINE;
        return new PartitionChangeBuilder(topic.topicId(), partition, acceptable).election(election)
                .eligibleLeaderReplicas(eligibleLeaderReplicasEnabled(image),
                        effectiveMinIsr(image, topic.name(), partition.replicas().size()));
    }

    static boolean active(MetadataImage image, int brokerId) {
        BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && broker.active();
    }

    /**
     * The changes taking {@code brokerId} out of every ISR and leadership (it is being fenced or entering controlled
     * shutdown; KIP-841): a partition it led gets the first active ISR member in replica order, or leader -1 (an
     * unclean election where the topic allows it). Without ELR a partition whose only ISR member it is keeps it
     * there; with ELR the ISR may empty, its leavers joining the ELR while the ISR is below min ISR.
     */
    public List<MetadataRecord> removeBroker(MetadataImage image, int brokerId) {
        return removeBroker(image, brokerId, false);
    }

    /**
     * As {@link #removeBroker(MetadataImage, int)} when the broker shut down cleanly (or ELR is off); after an unclean
     * shutdown (KIP-966: a new incarnation whose registration does not name the previous one's epoch) the broker also
     * leaves every ELR, since its log may have lost records it had acknowledged.
     */
    public List<MetadataRecord> brokerShutdown(MetadataImage image, int brokerId, boolean cleanShutdown) {
        return removeBroker(image, brokerId, !cleanShutdown && eligibleLeaderReplicasEnabled(image));
    }

    /**
     * An unregistered broker leaves every ISR and leadership; as in Kafka 4.4 it stays in the ELRs (unelectable while
     * unregistered, and so blocking the last known leader's election), which it leaves when a new incarnation
     * registers: a registration that names no previous epoch is an unclean shutdown.
     */
    public List<MetadataRecord> unregisterBroker(MetadataImage image, int brokerId) {
        return removeBroker(image, brokerId, false);
    }

    private List<MetadataRecord> removeBroker(MetadataImage image, int brokerId, boolean alsoFromElr) {
        IntPredicate acceptable = replica -> replica != brokerId && active(image, replica);
        Set<Integer> unclean = alsoFromElr ? Set.of(brokerId) : Set.of();
        List<MetadataRecord> records = new ArrayList<>();
        for (TopicImage topic : sortedTopics(image)) {
            for (PartitionImage partition : topic.partitions().values()) {
                // The last known leader stays recorded (Kafka keeps it): it is elected only once active again.
                boolean affected = partition.leader() == brokerId || partition.isr().contains(brokerId)
                        || alsoFromElr && partition.eligibleLeaderReplicas().contains(brokerId);
                if (!affected) {
                    continue;
                }
                List<Integer> targetIsr = partition.isr().stream().filter(replica -> replica != brokerId).toList();
                builder(image, topic, partition, acceptable).targetIsr(targetIsr).uncleanShutdownReplicas(unclean)
                        .build().ifPresent(records::add);
            }
        }
        return records;
    }

    /**
     * The changes giving a leader to every leaderless partition that {@code brokerId}, about to be unfenced, can
     * lead: one where it is in the ISR, in the ELR of an empty ISR, the last known leader of a partition with neither,
     * or (unclean elections allowed) any replica. As Kafka, every leaderless partition gets an election, not only
     * the ones {@code brokerId} hosts (one whose last known leader is another active broker may lead now). The broker
     * does not rejoin any ISR here: its leaders add it back by AlterPartition once it has caught up.
     */
    public List<MetadataRecord> brokerUnfenced(MetadataImage image, int brokerId) {
        IntPredicate acceptable = replica -> replica == brokerId || active(image, replica);
        List<MetadataRecord> records = new ArrayList<>();
        for (TopicImage topic : sortedTopics(image)) {
            for (PartitionImage partition : topic.partitions().values()) {
                if (partition.leader() == PartitionImage.NO_LEADER) {
                    builder(image, topic, partition, acceptable).build().ifPresent(records::add);
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
        Optional<PartitionChangeRecord> change = builder(image, topic.get(), partition,
                replica -> active(image, replica)).election(election).build();
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
                builder(image, topic, partition, replica -> active(image, replica)).election(Election.PREFERRED)
                        .build().ifPresent(change -> {
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
