package io.fjord.broker.quota;

import io.fjord.metadata.quota.ClientQuotaEntity;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One kind of client quota on this broker, Kafka's ClientQuotaManager: the quota values of one key
 * ({@code producer_byte_rate}, {@code consumer_byte_rate} or {@code request_percentage}) resolved per user and client
 * id ({@link ClientQuotaResolver}), a {@link RateSensor} per sharing group, and the throttle time a recording earns
 * ({@link QuotaThrottle}). Clients without a quota are not measured. Sensors idle for longer than
 * {@link #IDLE_SENSOR_MS} are dropped once {@link #MAX_SENSORS} exist, so a stream of new client ids cannot grow the
 * map without bound (past
 * that, new groups share one sensor).
 *
 * <p>Thread-safe and lock-free: the quota values are an immutable map replaced whole by the metadata publishing thread
 * (a volatile write); sensors live in a concurrent map and are lock-free themselves.
 */
public final class ClientQuotaManager {
    /** Kafka drops a quota sensor after an hour without use. */
    static final long IDLE_SENSOR_MS = 3_600_000L;
    /** Sensors kept before idle ones are dropped. */
    static final int MAX_SENSORS = 100_000;

    private final String key;
    private final int windowCount;
    private final long windowSizeMs;
    /** Recorded units per unit of the quota's value (1 for bytes; nanoseconds per percent-second for time). */
    private final double unitsPerQuotaUnit;
    /** The longest throttle this quota gives; Long.MAX_VALUE: unbounded (Kafka bounds only the request quota). */
    private final long maxThrottleTimeMs;
    private final ConcurrentHashMap<ClientQuotaResolver.SensorKey, RateSensor> sensors = new ConcurrentHashMap<>();
    /** Shared by the clients that find the map full of active sensors: more throttling, never unbounded memory. */
    private final RateSensor overflow;
    private volatile Map<ClientQuotaEntity, Map<String, Double>> quotas = Map.of();

    ClientQuotaManager(String key, int windowCount, long windowSizeMs, double unitsPerQuotaUnit,
                       long maxThrottleTimeMs) {
        this.key = key;
        this.windowCount = windowCount;
        this.windowSizeMs = windowSizeMs;
        this.unitsPerQuotaUnit = unitsPerQuotaUnit;
        this.maxThrottleTimeMs = maxThrottleTimeMs;
        this.overflow = new RateSensor(windowCount, windowSizeMs);
    }

    /** The quota key this manager enforces. */
    public String key() {
        return key;
    }

    /** Replaces the quota values (all entities' quotas from the metadata image); applies from the next request. */
    void update(Map<ClientQuotaEntity, Map<String, Double>> quotas) {
        this.quotas = quotas;
    }

    /** The quota that applies to a client, if any. */
    public Optional<ClientQuotaResolver.QuotaMatch> quota(String user, String clientId) {
        return ClientQuotaResolver.resolve(quotas, key, user, clientId == null ? "" : clientId);
    }

    /**
     * Records {@code value} units for a client at {@code nowMs} and returns how long it must be throttled: 0 while its
     * rate is within its quota or it has none.
     */
    public long recordAndGetThrottleTimeMs(String user, String clientId, long value, long nowMs) {
        Optional<ClientQuotaResolver.QuotaMatch> quota = quota(user, clientId);
        if (quota.isEmpty()) {
            return 0;
        }
        RateSensor sensor = sensor(quota.get().sensorKey(), nowMs);
        sensor.record(value, nowMs);
        double bound = quota.get().bound() * unitsPerQuotaUnit;
        long throttleMs = QuotaThrottle.throttleTimeMs(sensor.ratePerSecond(nowMs), bound,
                sensor.windowSizeMs(nowMs));
        return Math.min(throttleMs, maxThrottleTimeMs);
    }

    /**
     * How long a client would be throttled at {@code nowMs} without recording anything: 0 within its quota, without
     * one, or before its first recording.
     */
    public long throttleTimeMs(String user, String clientId, long nowMs) {
        Optional<ClientQuotaResolver.QuotaMatch> quota = quota(user, clientId);
        if (quota.isEmpty()) {
            return 0;
        }
        RateSensor sensor = sensors.get(quota.get().sensorKey());
        if (sensor == null) {
            return 0;
        }
        long throttleMs = QuotaThrottle.throttleTimeMs(sensor.ratePerSecond(nowMs),
                quota.get().bound() * unitsPerQuotaUnit, sensor.windowSizeMs(nowMs));
        return Math.min(throttleMs, maxThrottleTimeMs);
    }

    /** Takes back {@code value} units recorded at {@code nowMs} (Kafka's {@code unrecordQuotaSensor}). */
    public void unrecord(String user, String clientId, long value, long nowMs) {
        quota(user, clientId).ifPresent(match -> sensor(match.sensorKey(), nowMs).record(-value, nowMs));
    }

    /**
     * Kafka's {@code getMaxValueInQuotaWindow}: the most a client may take in one response, its quota times all
     * windows but the current one; Long.MAX_VALUE without a quota.
     */
    public long maxValueInQuotaWindow(String user, String clientId) {
        return quota(user, clientId).map(match -> (long) Math.min(Long.MAX_VALUE,
                match.bound() * unitsPerQuotaUnit * (windowCount - 1) * windowSizeMs / 1000.0))
                .orElse(Long.MAX_VALUE);
    }

    private RateSensor sensor(ClientQuotaResolver.SensorKey sensorKey, long nowMs) {
        RateSensor sensor = sensors.get(sensorKey);
        if (sensor != null) {
            return sensor;
        }
        if (sensors.size() >= MAX_SENSORS) {
            sensors.values().removeIf(idle -> nowMs - idle.lastRecordMs() > IDLE_SENSOR_MS);
            if (sensors.size() >= MAX_SENSORS) {
                return overflow;
            }
        }
        return sensors.computeIfAbsent(sensorKey, ignored -> new RateSensor(windowCount, windowSizeMs));
    }

    /** Sensors held (tests). */
    int sensorCount() {
        return sensors.size();
    }
}
