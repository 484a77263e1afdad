package io.fjord.broker.security.authorizer;

import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs denied authorizations as Kafka's authorizer logger does (principal, host, operation, resource), at most one
 * line per (principal, operation, resource) per interval, so a client retrying a denied request cannot flood the log.
 * Keys are bounded: past the bound, expired keys are forgotten at most once an interval, and until then new keys are
 * counted but not logged.
 *
 * <p>Thread-safe: the windows are guarded by this object's monitor; logging happens outside it.
 */
public final class DenialLog {
    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final int DEFAULT_KEYS_MAX = 10_000;

    private record Key(String principal, AclOperation operation, AclResourceType resourceType, String resourceName) {
    }

    private final Logger logger;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final int keysMax;
    /** When each key was last logged. */
    private final Map<Key, Long> loggedNanos = new HashMap<>();
    private long evictedNanos;
    private long dropped;

    DenialLog(Logger logger, LongSupplier nanoClock, long intervalNanos, int keysMax) {
        this.logger = logger;
        this.nanoClock = nanoClock;
        this.intervalNanos = intervalNanos;
        this.keysMax = keysMax;
        this.evictedNanos = nanoClock.getAsLong() - intervalNanos;
    }

    /** Logs as {@code io.fjord.broker.security.authorizer.DenialLog}, a line per key a minute at most. */
    public static DenialLog withDefaults() {
        return new DenialLog(LoggerFactory.getLogger(DenialLog.class), System::nanoTime, DEFAULT_INTERVAL_NANOS,
                DEFAULT_KEYS_MAX);
    }

    /** Records a denial and logs it unless the same one was logged within the interval. */
    void denied(RequestContext context, AclOperation operation, AclResourceType resourceType, String resourceName) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        String principal = String.valueOf(context.principal());
        if (admit(new Key(principal, operation, resourceType, resourceName))) {
            logger.info("Principal = {} is Denied operation = {} from host = {} on resource = {}:LITERAL:{}",
                    principal, operation, context.clientAddress(), resourceType, resourceName);
        }
    }

    /** How many denials were neither logged nor counted under a key because the keys were at their bound. */
    synchronized long dropped() {
        return dropped;
    }

    private synchronized boolean admit(Key key) {
        long now = nanoClock.getAsLong();
        Long last = loggedNanos.get(key);
        if (last != null) {
            if (now - last < intervalNanos) {
                return false;
            }
            loggedNanos.put(key, now);
            return true;
        }
        if (loggedNanos.size() >= keysMax && now - evictedNanos >= intervalNanos) {
            evictExpired(now);
            evictedNanos = now;
        }
        if (loggedNanos.size() >= keysMax) {
            dropped++;
            return false;
        }
        loggedNanos.put(key, now);
        return true;
    }

    private void evictExpired(long now) {
        for (Iterator<Long> it = loggedNanos.values().iterator(); it.hasNext(); ) {
            if (now - it.next() >= intervalNanos) {
                it.remove();
            }
        }
    }
}
