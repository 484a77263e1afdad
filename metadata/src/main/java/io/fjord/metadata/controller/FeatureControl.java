package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerFeature;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * UpdateFeatures (KIP-584, {@code kafka-features upgrade|downgrade}, {@code Admin.updateFeatures}) on the active
 * controller, Kafka 4.4's FeatureControlManager rules, as a pure function of the image. Two kinds of feature:
 * <ul>
 *   <li>Finalized in the metadata log: {@value ReplicationControl#ELIGIBLE_LEADER_REPLICAS_FEATURE} (KIP-966) and
 *       {@value #TRANSACTION_VERSION} (KIP-890, levels 0-2, with no dependency on another feature, as in
 *       Kafka). A level is a {@link FeatureLevelRecord} (level 0 removes it). Checked per update in Kafka's order:
 *       the upgrade type (1 upgrade, 2 safe downgrade, 3 unsafe downgrade; another is INVALID_UPDATE_VERSION); a
 *       level below 0; the levels this controller supports, then every registered broker's (from its
 *       registration); a lower level asked as an upgrade, or a higher one as a downgrade. Kafka's dependency of ELR
 *       level 1 on {@code metadata.version} 4.0-IV1 always holds here: Fjord's metadata records always carry the
 *       ELR fields. Enabling it also writes
 *       Kafka's ELR safety records: a cluster-wide {@code min.insync.replicas} (the static default) when there is
 *       none, and the removal of every per-broker {@code min.insync.replicas}. Disabling writes only the level, as
 *       Kafka 4.4 does: existing partitions keep their ELR fields until their next change, which empties the ELR
 *       (an ELR member of an empty ISR may still be elected then, and becomes the ISR).</li>
 *   <li>Fixed by each node's software and configuration ({@code group.version}, {@code share.version}, ...):
 *       asking for the level in force succeeds with no record; any other level is INVALID_UPDATE_VERSION.</li>
 * </ul>
 * {@value #KRAFT_VERSION} (KIP-853) lives in the Raft log, read and upgraded through a {@link KraftVersionAccessor}:
 * checked like the others (this controller supports 0-1, then each registered broker), then as Kafka 4.4 does: an
 * upgrade asks the Raft leader, whose refusals (a voter that did not report support for level 1, unknown directory
 * ids, a voter change in progress, a downgrade) answer INVALID_UPDATE_VERSION with Kafka's message, and waits for
 * its commit; a downgrade type for another level is "Can't downgrade the version of this feature."; the level in
 * force succeeds with no change. The Raft upgrade runs after every other update was checked, so a refused request
 * changes nothing. {@code metadata.version} is not a Fjord feature (its metadata log is not Kafka's versioned KRaft
 * log): INVALID_UPDATE_VERSION. As Kafka the request is all or nothing, the first error answering
 * it whole; validate-only checks everything and writes nothing; otherwise one result holds every record, so the
 * level and the changes it implies commit together. The answer's per-feature results (read by versions 0-1) are
 * filled on success, as Kafka's controller does.
 *
 * <p>Immutable; thread-safe (the accessor is).
 */
public final class FeatureControl {
    public static final String KRAFT_VERSION = "kraft.version";
    /** The highest {@code kraft.version} this software supports. */
    public static final short KRAFT_VERSION_MAX = 1;
    public static final String TRANSACTION_VERSION = "transaction.version";
    /**
     * The highest {@code transaction.version} this software supports: 2 (KIP-890 part 2: the produce path adds a
     * partition to the transaction, the group coordinator adds the offsets partition for TxnOffsetCommit v5+).
     */
    public static final short TRANSACTION_VERSION_MAX = 2;
    /**
     * The {@code transaction.version} a new cluster starts with: 2, as Kafka 4.4 formats new clusters
     * ({@code TransactionVersion.LATEST_PRODUCTION}).
     */
    public static final short TRANSACTION_VERSION_NEW_CLUSTER_LEVEL = 2;
    public static final byte UPGRADE = 1;
    public static final byte SAFE_DOWNGRADE = 2;
    public static final byte UNSAFE_DOWNGRADE = 3;

    /** One node-fixed feature: its level in force and the highest level the software supports. */
    public record FixedFeature(short level, short maxSupportedLevel) {
    }

    private final int nodeId;
    private final Map<String, Short> finalizedInLogMaxLevels;
    private final Map<String, FixedFeature> fixedFeatures;
    private final int staticMinInsyncReplicas;
    private final KraftVersionAccessor kraftVersion;

    /**
     * @param nodeId                         this controller's node id, named in refusals
     * @param eligibleLeaderReplicasMaxLevel the highest ELR level this controller supports (1)
     * @param fixedFeatures                  the features whose level the node's software and configuration fix
     * @param staticMinInsyncReplicas        the static {@code min.insync.replicas}, written cluster-wide when ELR
     *                                       is enabled without one
     */
    public FeatureControl(int nodeId, short eligibleLeaderReplicasMaxLevel, Map<String, FixedFeature> fixedFeatures,
                          int staticMinInsyncReplicas) {
        this(nodeId, eligibleLeaderReplicasMaxLevel, fixedFeatures, staticMinInsyncReplicas,
                KraftVersionAccessor.STATIC);
    }

    /** @param kraftVersion the metadata quorum's {@code kraft.version} */
    public FeatureControl(int nodeId, short eligibleLeaderReplicasMaxLevel, Map<String, FixedFeature> fixedFeatures,
                          int staticMinInsyncReplicas, KraftVersionAccessor kraftVersion) {
        this.kraftVersion = kraftVersion;
        this.nodeId = nodeId;
        this.finalizedInLogMaxLevels = Map.of(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE,
                eligibleLeaderReplicasMaxLevel, TRANSACTION_VERSION, TRANSACTION_VERSION_MAX);
        this.fixedFeatures = Map.copyOf(fixedFeatures);
        this.staticMinInsyncReplicas = staticMinInsyncReplicas;
    }

    public ControllerResult<UpdateFeaturesResponseData> updateFeatures(MetadataImage image,
                                                                        UpdateFeaturesRequestData request) {
        List<MetadataRecord> records = new ArrayList<>();
        boolean enablesEligibleLeaderReplicas = false;
        short kraftUpgrade = -1;
        for (UpdateFeaturesRequestData.FeatureUpdateKey update : request.featureUpdates()) {
            String refusal = update.feature().equals(KRAFT_VERSION) ? kraftVersionRefusal(image, update)
                    : refusal(image, update, records);
            if (refusal != null) {
                return refused(update, refusal);
            }
            if (update.feature().equals(KRAFT_VERSION) && update.maxVersionLevel() > kraftVersion.kraftVersion()) {
                kraftUpgrade = update.maxVersionLevel();
            }
            if (update.feature().equals(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE)
                    && update.maxVersionLevel() > 0) {
                enablesEligibleLeaderReplicas = true;
            }
        }
        UpdateFeaturesResponseData response = new UpdateFeaturesResponseData().setErrorMessage(null);
        for (UpdateFeaturesRequestData.FeatureUpdateKey update : request.featureUpdates()) {
            response.results().add(new UpdateFeaturesResponseData.UpdatableFeatureResult()
                    .setFeature(update.feature()).setErrorCode(Errors.NONE.code()).setErrorMessage(null));
        }
        if (request.validateOnly()) {
            return new ControllerResult<>(List.of(), response);
        }
        if (kraftUpgrade > 0) {
            String refusal = kraftVersion.upgrade(kraftUpgrade, false);
            if (refusal != null) {
                return refused(kraftUpdate(request), KRAFT_REFUSAL + refusal);
            }
        }
        List<MetadataRecord> all = new ArrayList<>();
        if (enablesEligibleLeaderReplicas) {
            all.addAll(eligibleLeaderReplicasSafetyRecords(image));
        }
        all.addAll(records);
        return new ControllerResult<>(all, response);
    }

    /**
     * The cluster's finalized {@code transaction.version} in {@code image} (0 when no record set it: a cluster from
     * before the feature was finalized in the log stays at 0, as a Kafka cluster without the record does).
     */
    public static short transactionVersion(MetadataImage image) {
        return image.features().getOrDefault(TRANSACTION_VERSION, (short) 0);
    }

    /** Marks a refusal given by the Raft leader: Kafka answers its message without the usual prefix. */
    private static final String KRAFT_REFUSAL = "\0";

    private static ControllerResult<UpdateFeaturesResponseData> refused(
            UpdateFeaturesRequestData.FeatureUpdateKey update, String refusal) {
        String message = refusal.startsWith(KRAFT_REFUSAL) ? refusal.substring(KRAFT_REFUSAL.length())
                : "Invalid update version " + update.maxVersionLevel() + " for feature " + update.feature() + ". "
                        + refusal;
        return new ControllerResult<>(List.of(), new UpdateFeaturesResponseData()
                .setErrorCode(Errors.INVALID_UPDATE_VERSION.code())
                .setErrorMessage("The update failed for all features since the following feature had an error: "
                        + message));
    }

    private static UpdateFeaturesRequestData.FeatureUpdateKey kraftUpdate(UpdateFeaturesRequestData request) {
        return request.featureUpdates().stream().filter(update -> update.feature().equals(KRAFT_VERSION))
                .findFirst().orElseThrow();
    }

    /**
     * Why a {@code kraft.version} update is refused, or null: Kafka's generic checks, then the Raft leader's
     * validation of an upgrade (the upgrade itself runs once every update passed).
     */
    private String kraftVersionRefusal(MetadataImage image, UpdateFeaturesRequestData.FeatureUpdateKey update) {
        byte type = update.upgradeType();
        if (type != UPGRADE && type != SAFE_DOWNGRADE && type != UNSAFE_DOWNGRADE) {
            return "The controller does not support the given upgrade type.";
        }
        short target = update.maxVersionLevel();
        if (target < 0) {
            return "A feature version cannot be less than 0.";
        }
        if (target > KRAFT_VERSION_MAX) {
            return supportRefusal("Local controller " + nodeId, (short) 0, KRAFT_VERSION_MAX);
        }
        String brokerRefusal = brokerRefusal(image, KRAFT_VERSION, target);
        if (brokerRefusal != null) {
            return brokerRefusal;
        }
        short current = kraftVersion.kraftVersion();
        if (target < current && type == UPGRADE) {
            return "Can't downgrade the version of this feature without setting the upgrade type to either safe or"
                    + " unsafe downgrade.";
        }
        if (target > current && type != UPGRADE) {
            return "Can't downgrade to a newer version.";
        }
        if (type != UPGRADE) {
            return target == current ? null : "Can't downgrade the version of this feature.";
        }
        if (target == current) {
            return null;
        }
        String refusal = kraftVersion.upgrade(target, true);
        return refusal == null ? null : KRAFT_REFUSAL + refusal;
    }

    /** Why {@code update} is refused (Kafka's reason text), or null with its record added to {@code records}. */
    private String refusal(MetadataImage image, UpdateFeaturesRequestData.FeatureUpdateKey update,
                           List<MetadataRecord> records) {
        String name = update.feature();
        byte type = update.upgradeType();
        if (type != UPGRADE && type != SAFE_DOWNGRADE && type != UNSAFE_DOWNGRADE) {
            return "The controller does not support the given upgrade type.";
        }
        short target = update.maxVersionLevel();
        if (target < 0) {
            return "A feature version cannot be less than 0.";
        }
        FixedFeature fixed = fixedFeatures.get(name);
        boolean finalizedInLog = finalizedInLogMaxLevels.containsKey(name);
        if (!finalizedInLog && fixed == null) {
            return "Local controller " + nodeId + " does not support this feature.";
        }
        short maxSupported = finalizedInLog ? finalizedInLogMaxLevels.get(name) : fixed.maxSupportedLevel();
        if (target > maxSupported) {
            return supportRefusal("Local controller " + nodeId, (short) 0, maxSupported);
        }
        if (finalizedInLog) {
            String brokerRefusal = brokerRefusal(image, name, target);
            if (brokerRefusal != null) {
                return brokerRefusal;
            }
        }
        short current = finalizedInLog ? image.features().getOrDefault(name, (short) 0) : fixed.level();
        if (target < current && type == UPGRADE) {
            return "Can't downgrade the version of this feature without setting the upgrade type to either safe or"
                    + " unsafe downgrade.";
        }
        if (target > current && type != UPGRADE) {
            return "Can't downgrade to a newer version.";
        }
        if (!finalizedInLog) {
            return target == current ? null : "Fjord serves this feature only at level " + current + " (a level"
                    + " follows each node's software and configuration and cannot be changed at run time).";
        }
        records.add(new FeatureLevelRecord(name, target));
        return null;
    }

    /** Kafka's check that every registered broker supports the level (a broker without the feature: 0 only). */
    private static String brokerRefusal(MetadataImage image, String name, short target) {
        for (BrokerImage broker : new TreeMap<>(image.brokers()).values()) {
            short min = 0;
            short max = 0;
            for (BrokerFeature feature : broker.features()) {
                if (feature.name().equals(name)) {
                    min = feature.minSupportedVersion();
                    max = feature.maxSupportedVersion();
                }
            }
            if (target < min || target > max) {
                return supportRefusal("Broker " + broker.brokerId(), min, max);
            }
        }
        return null;
    }

    private static String supportRefusal(String who, short min, short max) {
        if (max == 0) {
            return who + " does not support this feature.";
        }
        return who + " only supports versions " + (min == max ? Short.toString(min) : min + "-" + max);
    }

    /**
     * Kafka's records that make ELR's min ISR well defined before it is on: the cluster-wide
     * {@code min.insync.replicas} when there is none, and no per-broker override of it.
     */
    private List<MetadataRecord> eligibleLeaderReplicasSafetyRecords(MetadataImage image) {
        List<MetadataRecord> records = new ArrayList<>();
        if (!image.brokerConfig("").containsKey(ReplicationControl.MIN_INSYNC_REPLICAS)) {
            records.add(new ConfigRecord(ConfigRecord.BROKER, "", ReplicationControl.MIN_INSYNC_REPLICAS,
                    Integer.toString(staticMinInsyncReplicas)));
        }
        for (Map.Entry<String, Map<String, String>> broker : new TreeMap<>(image.brokerConfigs()).entrySet()) {
            if (!broker.getKey().isEmpty()
                    && broker.getValue().containsKey(ReplicationControl.MIN_INSYNC_REPLICAS)) {
                records.add(new ConfigRecord(ConfigRecord.BROKER, broker.getKey(),
                        ReplicationControl.MIN_INSYNC_REPLICAS, null));
            }
        }
        return records;
    }
}
