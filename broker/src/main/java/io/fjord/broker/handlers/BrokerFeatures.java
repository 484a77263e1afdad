package io.fjord.broker.handlers;

import io.fjord.metadata.controller.FeatureControl;
import io.fjord.protocol.message.ApiVersionsResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The feature flags (KIP-584) a node reports in ApiVersions v3+: for each feature Kafka 4.4 defines and Fjord knows,
 * the levels this software supports and the level in force. Clients act on them (the 4.4 producer uses transaction
 * protocol v2 only when {@code transaction.version} is finalized at 2 or more), so only what works is claimed:
 * {@code group.version} 1 (the KIP-848 protocol) when the consumer protocol is enabled, share and streams groups at
 * level 0. {@code eligible.leader.replicas.version} (KIP-966) and {@code transaction.version} (KIP-890) are cluster
 * settings the controller keeps in the metadata log: this software supports levels 0-1 and 0-2 of them, and the
 * level in force is the image's ({@link #withFinalized}; ELR is 1 for clusters formatted since it exists, 0 for older
 * ones; a cluster without a {@code transaction.version} record is at 0). {@code kraft.version} (KIP-853) is the
 * metadata quorum's: supported at 0-1, in force at the level of the node's Raft log (1 for a dynamic quorum or one
 * upgraded, 0, left out, for the static voters of {@code controller.quorum.voters}), as Kafka reports it.
 * {@code metadata.version} is left out: Fjord's metadata log is not Kafka's versioned KRaft log, so no level of it
 * would be true. Immutable; thread-safe.
 */
public final class BrokerFeatures {
    /** One feature: the levels supported and the level in force (0, the feature off, is never reported). */
    private record Feature(String name, short maxSupportedLevel, short finalizedLevel) {
    }

    private static final String ELIGIBLE_LEADER_REPLICAS = "eligible.leader.replicas.version";
    private static final String KRAFT_VERSION = FeatureControl.KRAFT_VERSION;
    private static final String TRANSACTION_VERSION = FeatureControl.TRANSACTION_VERSION;

    private final List<Feature> features;

    private BrokerFeatures(List<Feature> features) {
        this.features = features;
    }

    /** @param consumerProtocolEnabled whether {@code group.coordinator.rebalance.protocols} has {@code consumer} */
    public static BrokerFeatures of(boolean consumerProtocolEnabled) {
        return new BrokerFeatures(List.of(
                new Feature("group.version", (short) 1, (short) (consumerProtocolEnabled ? 1 : 0)),
                new Feature(TRANSACTION_VERSION, FeatureControl.TRANSACTION_VERSION_MAX, (short) 0),
                new Feature("share.version", (short) 0, (short) 0),
                new Feature("streams.version", (short) 0, (short) 0),
                new Feature(ELIGIBLE_LEADER_REPLICAS, (short) 1, (short) 0),
                new Feature(KRAFT_VERSION, FeatureControl.KRAFT_VERSION_MAX, (short) 0)));
    }

    /**
     * These features with the levels the metadata image finalized for the cluster-wide ones (eligible leader
     * replicas, transaction version); a level above what this node supports is reported as the highest it supports.
     */
    public BrokerFeatures withFinalized(java.util.Map<String, Short> imageFeatures) {
        return withFinalized(imageFeatures, (short) 0);
    }

    /** These features with the image's cluster-wide levels and the metadata quorum's {@code kraft.version}. */
    public BrokerFeatures withFinalized(java.util.Map<String, Short> imageFeatures, short kraftVersion) {
        List<Feature> merged = new ArrayList<>(features.size());
        for (Feature feature : features) {
            short level = feature.finalizedLevel();
            if (isFinalizedInLog(feature.name())) {
                level = (short) Math.min(feature.maxSupportedLevel(), imageFeatures.getOrDefault(feature.name(),
                        (short) 0));
            } else if (feature.name().equals(KRAFT_VERSION)) {
                level = (short) Math.min(feature.maxSupportedLevel(), kraftVersion);
            }
            merged.add(new Feature(feature.name(), feature.maxSupportedLevel(), level));
        }
        return new BrokerFeatures(List.copyOf(merged));
    }

    /**
     * The supported ranges at an ApiVersions version. Before v4 a range starting at 0 cannot be read by clients
     * (KAFKA-17011), so, as Kafka does, those versions get none of them (all of Fjord's start at 0).
     */
    public List<ApiVersionsResponseData.SupportedFeatureKey> supported(short apiVersionsVersion) {
        List<ApiVersionsResponseData.SupportedFeatureKey> supported = new ArrayList<>();
        if (apiVersionsVersion >= 4) {
            for (Feature feature : features) {
                supported.add(new ApiVersionsResponseData.SupportedFeatureKey().setName(feature.name())
                        .setMinVersion((short) 0).setMaxVersion(feature.maxSupportedLevel()));
            }
        }
        return supported;
    }

    /** The features in force, at their level; a feature at level 0 is left out, as Kafka leaves it out. */
    public List<ApiVersionsResponseData.FinalizedFeatureKey> finalized() {
        List<ApiVersionsResponseData.FinalizedFeatureKey> finalized = new ArrayList<>();
        for (Feature feature : features) {
            if (feature.finalizedLevel() > 0) {
                finalized.add(new ApiVersionsResponseData.FinalizedFeatureKey().setName(feature.name())
                        .setMinVersionLevel(feature.finalizedLevel()).setMaxVersionLevel(feature.finalizedLevel()));
            }
        }
        return finalized;
    }

    /**
     * The features whose level this node's software and configuration fix (every one but the cluster-wide
     * {@code eligible.leader.replicas.version}, {@code transaction.version} and {@code kraft.version}), as the
     * controller's UpdateFeatures checks them.
     */
    public Map<String, FeatureControl.FixedFeature> fixedFeatures() {
        Map<String, FeatureControl.FixedFeature> fixed = new TreeMap<>();
        for (Feature feature : features) {
            if (!isFinalizedInLog(feature.name()) && !feature.name().equals(KRAFT_VERSION)) {
                fixed.put(feature.name(), new FeatureControl.FixedFeature(feature.finalizedLevel(),
                        feature.maxSupportedLevel()));
            }
        }
        return fixed;
    }

    private static boolean isFinalizedInLog(String name) {
        return name.equals(ELIGIBLE_LEADER_REPLICAS) || name.equals(TRANSACTION_VERSION);
    }

    /** Whether this node knows the feature {@code name} (it reports the feature's supported levels). */
    public boolean knows(String name) {
        return features.stream().anyMatch(feature -> feature.name().equals(name));
    }

    /** The level in force of the feature {@code name}; 0 for one this node does not know. */
    public short finalizedLevel(String name) {
        return features.stream().filter(feature -> feature.name().equals(name)).findFirst()
                .map(Feature::finalizedLevel).orElse((short) 0);
    }

    /** The highest level this node supports of the feature {@code name}; 0 for one it does not know. */
    public short maxSupportedLevel(String name) {
        return features.stream().filter(feature -> feature.name().equals(name)).findFirst()
                .map(Feature::maxSupportedLevel).orElse((short) 0);
    }
}
