package io.fjord.broker.quota;

import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.quota.ClientQuotaKeys;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code controller_mutation_rate} client quota (KIP-599), Kafka's {@code ControllerMutationQuotaManager}: the
 * quota resolved per user and client id in Kafka's 8-level order ({@link ClientQuotaResolver}), one
 * {@link TokenBucket} per sharing group with a burst of the quota times all windows but the current one
 * ({@code controller.quota.window.num} 11 windows of {@code controller.quota.window.size.seconds} 1 s, Kafka's
 * defaults), and a {@link ControllerMutationQuota} per request, strict from the version given. Buckets idle for an
 * hour are dropped once {@link ClientQuotaManager#MAX_SENSORS} exist (past that, new groups share one bucket).
 *
 * <p>Thread-safe: the quota values are an immutable map replaced whole by the metadata publishing thread (a volatile
 * write); buckets live in a concurrent map and are thread-safe themselves.
 */
public final class ControllerMutationQuotaManager {
    /** Kafka's {@code controller.quota.window.num} default. */
    static final int WINDOW_COUNT = 11;
    /** Kafka's {@code controller.quota.window.size.seconds} default, in milliseconds. */
    static final long WINDOW_SIZE_MS = 1000;

    private final ConcurrentHashMap<ClientQuotaResolver.SensorKey, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final TokenBucket overflow = new TokenBucket();
    private volatile Map<ClientQuotaEntity, Map<String, Double>> quotas = Map.of();

    /** Replaces the quota values (all entities' quotas from the metadata image); applies from the next request. */
    void update(Map<ClientQuotaEntity, Map<String, Double>> quotas) {
        this.quotas = quotas;
    }

    /**
     * The quota of one request of a client at API version {@code version}: strict from {@code strictSinceVersion}
     * (CreateTopics 6, CreatePartitions 3, DeleteTopics 5), permissive below; unbounded without a quota.
     */
    public ControllerMutationQuota newQuotaFor(String user, String clientId, short version, short strictSinceVersion,
            long nowMs) {
        Optional<ClientQuotaResolver.QuotaMatch> quota = ClientQuotaResolver.resolve(quotas,
                ClientQuotaKeys.CONTROLLER_MUTATION_RATE, user, clientId == null ? "" : clientId);
        if (quota.isEmpty()) {
            return ControllerMutationQuota.UNBOUNDED;
        }
        double ratePerSecond = quota.get().bound();
        double burst = ratePerSecond * (WINDOW_COUNT - 1) * WINDOW_SIZE_MS / 1000.0;
        return new ControllerMutationQuota(bucket(quota.get().sensorKey(), nowMs), ratePerSecond, burst,
                version >= strictSinceVersion);
    }

    private TokenBucket bucket(ClientQuotaResolver.SensorKey key, long nowMs) {
        TokenBucket bucket = buckets.get(key);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= ClientQuotaManager.MAX_SENSORS) {
            buckets.values().removeIf(idle -> nowMs - idle.lastRecordMs() > ClientQuotaManager.IDLE_SENSOR_MS);
            if (buckets.size() >= ClientQuotaManager.MAX_SENSORS) {
                return overflow;
            }
        }
        return buckets.computeIfAbsent(key, ignored -> new TokenBucket());
    }
}
