package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's timers for cluster membership: on activation every registered broker gets a fresh lease
 * ({@link ClusterControl#activate}); a broker whose lease expired is fenced, with its leaderships moved, when that
 * lease expires ({@link #nextCheckDelayMs}: the controller wakes at the earliest expiry, so a silent broker is fenced
 * {@code broker.session.timeout.ms} after its last heartbeat, where Kafka 4.4 samples every session timeout / 8 and
 * fences within 112.5% of it); and, with {@code auto.leader.rebalance.enable}, every
 * {@code leader.imbalance.check.interval.seconds} the preferred leaders are restored
 * ({@link ReplicationControl#rebalanceLeaders}). One check writes one entry: fencing first, a rebalance at a later
 * check; a check that hit the per-operation record bound leaves the rest due at once.
 *
 * <p>Not thread-safe: owned by the controller's thread, like the {@link ClusterControl} it shares with the request
 * operations. Time comes from the injected clock.
 */
public final class ClusterMaintenance implements ActiveControllerTasks {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMaintenance.class);

    /**
     * @param sessionTimeoutMs                 {@code broker.session.timeout.ms} (9000)
     * @param autoLeaderRebalanceEnable        {@code auto.leader.rebalance.enable} (true)
     * @param leaderImbalanceCheckIntervalMs   {@code leader.imbalance.check.interval.seconds} in ms (300,000)
     */
    public record Settings(long sessionTimeoutMs, boolean autoLeaderRebalanceEnable,
                           long leaderImbalanceCheckIntervalMs) {
        public Settings {
            if (sessionTimeoutMs <= 0 || leaderImbalanceCheckIntervalMs <= 0) {
                throw new IllegalArgumentException("the session timeout and check interval must be positive");
            }
        }
    }

    private final Settings settings;
    private final ClusterControl cluster;
    private final ReplicationControl replication;
    private final InstantSource clock;
    private final List<MetadataRecord> bootstrapRecords;
    private long nextRebalanceMs = Long.MAX_VALUE;

    public ClusterMaintenance(Settings settings, ClusterControl cluster, ReplicationControl replication,
                              InstantSource clock) {
        this(settings, cluster, replication, clock, List.of());
    }

    /** @param bootstrapRecords what {@code fjord format} added for a new cluster (SCRAM credentials) */
    public ClusterMaintenance(Settings settings, ClusterControl cluster, ReplicationControl replication,
                              InstantSource clock, List<MetadataRecord> bootstrapRecords) {
        this.bootstrapRecords = List.copyOf(bootstrapRecords);
        this.settings = settings;
        this.cluster = cluster;
        this.replication = replication;
        this.clock = clock;
    }

    @Override
    public void activated(MetadataImage image) {
        long nowMs = clock.millis();
        cluster.activate(image, nowMs);
        nextRebalanceMs = nowMs + settings.leaderImbalanceCheckIntervalMs();
    }

    /**
     * A new cluster (nothing registered, created or finalized yet: no cluster that ever served looks like this)
     * starts with eligible leader replicas on, Kafka 4.1+'s default, {@code transaction.version} at
     * {@link FeatureControl#TRANSACTION_VERSION_NEW_CLUSTER_LEVEL}, and the records {@code fjord format} added (SCRAM
     * credentials of {@code --add-scram}); an existing cluster keeps its feature levels (one without a
     * {@code transaction.version} record stays at 0).
     */
    @Override
    public List<MetadataRecord> bootstrap(MetadataImage image) {
        boolean brandNew = image.brokers().isEmpty() && image.topicsByName().isEmpty() && image.features().isEmpty()
                && image.lastBrokerEpoch() < 0 && image.nextProducerId() == 0 && image.brokerConfigs().isEmpty()
                && image.scramCredentials().isEmpty() && image.clientQuotas().isEmpty();
        if (!brandNew) {
            return List.of();
        }
        List<MetadataRecord> records = new java.util.ArrayList<>(
                newClusterFeatures(FeatureControl.TRANSACTION_VERSION_NEW_CLUSTER_LEVEL));
        records.addAll(bootstrapRecords);
        return records;
    }

    /** The feature levels a new cluster starts with, {@code transaction.version} at {@code transactionVersion}. */
    static List<MetadataRecord> newClusterFeatures(short transactionVersion) {
        LOG.info("Starting a new cluster with {}=1 and {}={}", ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE,
                FeatureControl.TRANSACTION_VERSION, transactionVersion);
        List<MetadataRecord> records = new java.util.ArrayList<>();
        records.add(new FeatureLevelRecord(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1));
        if (transactionVersion > 0) {
            records.add(new FeatureLevelRecord(FeatureControl.TRANSACTION_VERSION, transactionVersion));
        }
        return List.copyOf(records);
    }

    @Override
    public ControllerResult<?> periodic(MetadataImage image) {
        long nowMs = clock.millis();
        ControllerResult<List<Integer>> fenced = cluster.fenceExpiredBrokers(image, nowMs);
        if (!fenced.records().isEmpty()) {
            for (int brokerId : fenced.response()) {
                LOG.info("Fencing broker {}: no heartbeat for {} ms (broker.session.timeout.ms {})", brokerId,
                        cluster.silenceMs(brokerId, nowMs), settings.sessionTimeoutMs());
            }
            return fenced;
        }
        if (!settings.autoLeaderRebalanceEnable() || nowMs < nextRebalanceMs) {
            return fenced;
        }
        ControllerResult<?> rebalanced = replication.rebalanceLeaders(image);
        boolean more = rebalanced.records().size() >= OperationLimits.RECORDS_PER_OPERATION_MAX;
        nextRebalanceMs = more ? nowMs : nowMs + settings.leaderImbalanceCheckIntervalMs();
        if (!rebalanced.records().isEmpty()) {
            LOG.info("Moving {} leadership(s) back to their preferred replicas", rebalanced.records().size());
        }
        return rebalanced;
    }

    /** Due at the earliest lease expiry, or at the next rebalance when that comes first. */
    @Override
    public long nextCheckDelayMs(MetadataImage image) {
        long dueMs = cluster.nextLeaseExpiryMs(image);
        if (settings.autoLeaderRebalanceEnable()) {
            dueMs = Math.min(dueMs, nextRebalanceMs);
        }
        if (dueMs == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long nowMs = clock.millis();
        return dueMs <= nowMs ? 0 : dueMs - nowMs;
    }

    /** Kafka's sampling period, session timeout / 8: only a backstop now that leases are checked at expiry. */
    @Override
    public long periodMs() {
        return Math.max(1, settings.sessionTimeoutMs() / 8);
    }
}
