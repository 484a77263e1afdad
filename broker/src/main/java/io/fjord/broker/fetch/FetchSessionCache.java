package io.fjord.broker.fetch;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The broker's incremental fetch sessions, at most {@code max.incremental.fetch.session.cache.slots} of them
 * (KIP-227).
 *
 * <p>Eviction, when a new session needs a slot and all are taken (KIP-227's policy, simplified to one scan):
 * <ol>
 *   <li>a <em>stale</em> session, unused for {@code evictionMs}, goes first (the least recently used one);</li>
 *   <li>otherwise the least valuable <em>evictable</em> session goes if the new one is worth more. Value orders
 *       follower sessions ({@code privileged}) above consumer sessions, then larger sessions above smaller ones;
 *       the new session must be strictly more valuable. A session is evictable once it is older than
 *       {@code evictionMs} (so a new session gets time to prove itself); a consumer's session is evictable by a
 *       follower's at any age;</li>
 *   <li>otherwise no session is created and the fetcher gets session id 0: its requests stay full fetches.</li>
 * </ol>
 * Eviction scans all sessions (at most the slot count) only when the cache is full and a new session is requested.
 *
 * <p>Thread-safe: every method holds this cache's monitor. {@link FetchManager} also holds it while it looks up a
 * session and checks its epoch; lock order is cache, then session.
 */
public final class FetchSessionCache {
    /** Kafka's default of {@code max.incremental.fetch.session.cache.slots}. */
    public static final int DEFAULT_MAX_SLOTS = 1000;
    /** How long a session is protected after creation, and after how long unused it is stale (Kafka's fixed value). */
    public static final long DEFAULT_EVICTION_MS = 120_000;

    private final int maxSlots;
    private final long evictionMs;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    private long totalPartitions;
    private long evictions;

    public FetchSessionCache(int maxSlots, InstantSource clock) {
        this(maxSlots, DEFAULT_EVICTION_MS, clock, RandomGenerator.getDefault());
    }

    /** @param random draws session ids (inject a seeded one for deterministic tests) */
    public FetchSessionCache(int maxSlots, long evictionMs, InstantSource clock, RandomGenerator random) {
        if (maxSlots < 0) {
            throw new IllegalArgumentException("maxSlots must not be negative: " + maxSlots);
        }
        if (evictionMs < 0) {
            throw new IllegalArgumentException("evictionMs must not be negative: " + evictionMs);
        }
        this.maxSlots = maxSlots;
        this.evictionMs = evictionMs;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    InstantSource clock() {
        return clock;
    }

    synchronized FetchSession get(int sessionId) {
        return sessions.get(sessionId);
    }

    /**
     * Creates a session for the partitions if a slot is free or can be freed by eviction; returns its id, or
     * {@link FetchSessionEpochs#INVALID_SESSION_ID} if not. The partitions map becomes the session's.
     */
    synchronized int maybeCreateSession(boolean privileged, boolean usesTopicIds,
            LinkedHashMap<SessionPartitionKey, CachedPartition> partitions) {
        if (maxSlots == 0 || partitions.isEmpty()) {
            return FetchSessionEpochs.INVALID_SESSION_ID;
        }
        long nowMs = clock.millis();
        if (sessions.size() >= maxSlots && !tryEvict(privileged, partitions.size(), nowMs)) {
            return FetchSessionEpochs.INVALID_SESSION_ID;
        }
        int id = newSessionId();
        FetchSession session = new FetchSession(id, privileged, usesTopicIds, nowMs, partitions);
        sessions.put(id, session);
        totalPartitions += session.cachedSize;
        return id;
    }

    /** Marks the session used now and refreshes the partition count the eviction policy sees. */
    synchronized void touch(FetchSession session, long nowMs) {
        if (sessions.get(session.id) != session) {
            return;
        }
        session.lastUsedMs = nowMs;
        int size = session.size();
        totalPartitions += size - session.cachedSize;
        session.cachedSize = size;
    }

    /** Removes the session; returns whether it was there. */
    public synchronized boolean remove(int sessionId) {
        FetchSession removed = sessions.remove(sessionId);
        if (removed != null) {
            totalPartitions -= removed.cachedSize;
        }
        return removed != null;
    }

    public synchronized int size() {
        return sessions.size();
    }

    public synchronized long totalPartitions() {
        return totalPartitions;
    }

    public synchronized long evictions() {
        return evictions;
    }

    public int maxSlots() {
        return maxSlots;
    }

    private boolean tryEvict(boolean privileged, int size, long nowMs) {
        FetchSession leastRecentlyUsed = null;
        FetchSession leastValuable = null;
        for (FetchSession session : sessions.values()) {
            if (leastRecentlyUsed == null || session.lastUsedMs < leastRecentlyUsed.lastUsedMs) {
                leastRecentlyUsed = session;
            }
            boolean evictable = nowMs - session.creationMs > evictionMs || (privileged && !session.privileged);
            if (evictable && (leastValuable == null || compareValue(session, leastValuable) < 0)) {
                leastValuable = session;
            }
        }
        FetchSession victim = null;
        if (leastRecentlyUsed != null && nowMs - leastRecentlyUsed.lastUsedMs > evictionMs) {
            victim = leastRecentlyUsed;
        } else if (leastValuable != null
                && compareValue(privileged, size, leastValuable.privileged, leastValuable.cachedSize) > 0) {
            victim = leastValuable;
        }
        if (victim == null) {
            return false;
        }
        remove(victim.id);
        evictions++;
        return true;
    }

    private static int compareValue(FetchSession first, FetchSession second) {
        int byValue = compareValue(first.privileged, first.cachedSize, second.privileged, second.cachedSize);
        return byValue != 0 ? byValue : Integer.compare(first.id, second.id);
    }

    private static int compareValue(boolean firstPrivileged, int firstSize, boolean secondPrivileged, int secondSize) {
        int byPrivilege = Boolean.compare(firstPrivileged, secondPrivileged);
        return byPrivilege != 0 ? byPrivilege : Integer.compare(firstSize, secondSize);
    }

    private int newSessionId() {
        while (true) {
            int id = random.nextInt(1, Integer.MAX_VALUE);
            if (!sessions.containsKey(id)) {
                return id;
            }
        }
    }
}
