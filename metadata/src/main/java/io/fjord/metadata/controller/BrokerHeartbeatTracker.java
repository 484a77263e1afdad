package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The active controller's soft state about brokers' sessions, Kafka's BrokerHeartbeatManager: when each registered
 * broker last heartbeated (its lease runs {@code broker.session.timeout.ms} from there) and the metadata offset it
 * reported. Never in the metadata log: a newly active controller starts with a fresh lease for every registered
 * broker ({@link #resetAll}), so no broker is fenced for a lease the previous controller tracked.
 *
 * <p>Holds at most one entry per broker id it is told about; unregistered brokers are removed. Not thread-safe: owned
 * by the controller's single thread, like the image it is used with.
 */
public final class BrokerHeartbeatTracker {
    /** Kafka's {@code broker.session.timeout.ms} default. */
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 9000;

    private record Lease(long lastContactMs, long metadataOffset) {
    }

    private final long sessionTimeoutMs;
    private final Map<Integer, Lease> leases = new HashMap<>();

    public BrokerHeartbeatTracker(long sessionTimeoutMs) {
        if (sessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("broker.session.timeout.ms must be positive: " + sessionTimeoutMs);
        }
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public long sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** The broker was heard from now; {@code metadataOffset} is -1 when it reported none (a registration). */
    public void touch(int brokerId, long nowMs, long metadataOffset) {
        Lease previous = leases.get(brokerId);
        long offset = metadataOffset >= 0 || previous == null ? metadataOffset : previous.metadataOffset();
        leases.put(brokerId, new Lease(nowMs, offset));
    }

    public void remove(int brokerId) {
        leases.remove(brokerId);
    }

    /** Every registered broker gets a lease starting now, and the tracker forgets brokers no longer registered. */
    public void resetAll(MetadataImage image, long nowMs) {
        leases.keySet().retainAll(image.brokers().keySet());
        for (int brokerId : image.brokers().keySet()) {
            Lease previous = leases.get(brokerId);
            leases.put(brokerId, new Lease(nowMs, previous == null ? -1 : previous.metadataOffset()));
        }
    }

    /** Whether the broker heartbeated within the session timeout. */
    public boolean hasLiveLease(int brokerId, long nowMs) {
        Lease lease = leases.get(brokerId);
        return lease != null && nowMs - lease.lastContactMs() <= sessionTimeoutMs;
    }

    /**
     * The unfenced brokers (in controlled shutdown or not) whose lease expired, longest silent first. A registered
     * broker the tracker never heard of gets a fresh lease instead (it registered under another controller).
     */
    public List<Integer> expiredUnfencedBrokers(MetadataImage image, long nowMs) {
        List<Integer> expired = new ArrayList<>();
        for (BrokerImage broker : image.brokers().values()) {
            if (broker.fenced()) {
                continue;
            }
            if (!leases.containsKey(broker.brokerId())) {
                touch(broker.brokerId(), nowMs, -1);
            } else if (!hasLiveLease(broker.brokerId(), nowMs)) {
                expired.add(broker.brokerId());
            }
        }
        expired.sort(Comparator.comparingLong((Integer id) -> leases.get(id).lastContactMs())
                .thenComparing(Comparator.naturalOrder()));
        return expired;
    }

    /**
     * The lowest metadata offset reported by an active broker (unfenced, not in controlled shutdown, live lease),
     * {@link Long#MAX_VALUE} when there is none: Kafka lets a broker in controlled shutdown stop once every active
     * broker has seen the offset where its leaderships moved.
     */
    public long lowestActiveOffset(MetadataImage image, long nowMs) {
        long lowest = Long.MAX_VALUE;
        for (BrokerImage broker : image.brokers().values()) {
            if (broker.active() && hasLiveLease(broker.brokerId(), nowMs)) {
                lowest = Math.min(lowest, leases.get(broker.brokerId()).metadataOffset());
            }
        }
        return lowest;
    }
}
