package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active controller's soft state about brokers' sessions, Kafka's BrokerHeartbeatManager: when each registered
 * broker last heartbeated (its lease runs {@code broker.session.timeout.ms} from there), the broker epoch the lease
 * belongs to, the metadata offset it reported, and how many of its heartbeats were received but not yet handled by
 * the controller's thread. Never in the metadata log: a newly active controller starts with a fresh lease for every
 * registered broker ({@link #resetAll}), so no broker is fenced for a lease the previous controller tracked.
 *
 * <p>As Kafka since KAFKA-17793, a heartbeat renews its broker's lease when it arrives ({@link #heartbeatReceived}),
 * before it waits in the controller's queue, and a broker with a heartbeat still queued is never expired: a
 * controller thread held up for longer than the session timeout (a slow commit) must not fence the brokers whose
 * heartbeats waited behind it.
 *
 * <p>Holds at most one lease and one in-flight count per broker id it is told about; unregistered brokers are
 * removed. Thread-safe: {@link #heartbeatReceived} and {@link #heartbeatHandled} are called by the threads that
 * receive heartbeats; every other method by the controller's single thread. Each broker's entry changes atomically
 * ({@link ConcurrentHashMap#compute}); readers see each entry whole.
 */
public final class BrokerHeartbeatTracker {
    /** Kafka's {@code broker.session.timeout.ms} default. */
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 9000;

    private record Lease(long brokerEpoch, long lastContactMs, long metadataOffset) {
    }

    private final long sessionTimeoutMs;
    private final Map<Integer, Lease> leases = new ConcurrentHashMap<>();
    /** Heartbeats received and not yet handled, by broker id; an id is absent at zero. */
    private final Map<Integer, Integer> heartbeatsInFlight = new ConcurrentHashMap<>();

    public BrokerHeartbeatTracker(long sessionTimeoutMs) {
        if (sessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("broker.session.timeout.ms must be positive: " + sessionTimeoutMs);
        }
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public long sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /**
     * A heartbeat of {@code brokerId} in {@code brokerEpoch} arrived now, before the controller's thread handles it
     * (any thread): the lease of that epoch is renewed, and the broker is not expired until
     * {@link #heartbeatHandled} is called for it. A heartbeat naming another epoch than the lease's renews nothing.
     */
    public void heartbeatReceived(int brokerId, long brokerEpoch, long nowMs) {
        heartbeatsInFlight.merge(brokerId, 1, Integer::sum);
        leases.computeIfPresent(brokerId, (id, lease) -> lease.brokerEpoch() != brokerEpoch ? lease
                : new Lease(lease.brokerEpoch(), Math.max(lease.lastContactMs(), nowMs), lease.metadataOffset()));
    }

    /** The controller is done with a heartbeat {@link #heartbeatReceived} counted (any thread). */
    public void heartbeatHandled(int brokerId) {
        heartbeatsInFlight.computeIfPresent(brokerId, (id, count) -> count <= 1 ? null : count - 1);
    }

    /**
     * The broker, in {@code brokerEpoch}, was heard from now; {@code metadataOffset} is -1 when it reported none (a
     * registration).
     */
    public void touch(int brokerId, long brokerEpoch, long nowMs, long metadataOffset) {
        leases.compute(brokerId, (id, previous) -> {
            long offset = metadataOffset >= 0 || previous == null ? metadataOffset : previous.metadataOffset();
            long contactMs = previous == null || previous.brokerEpoch() != brokerEpoch ? nowMs
                    : Math.max(previous.lastContactMs(), nowMs);
            return new Lease(brokerEpoch, contactMs, offset);
        });
    }

    public void remove(int brokerId) {
        leases.remove(brokerId);
    }

    /** Every registered broker gets a lease starting now, and the tracker forgets brokers no longer registered. */
    public void resetAll(MetadataImage image, long nowMs) {
        leases.keySet().retainAll(image.brokers().keySet());
        for (BrokerImage broker : image.brokers().values()) {
            leases.compute(broker.brokerId(), (id, previous) -> new Lease(broker.brokerEpoch(), nowMs,
                    previous == null ? -1 : previous.metadataOffset()));
        }
    }

    /** Whether the broker heartbeated within the session timeout, or has a heartbeat waiting to be handled. */
    public boolean hasLiveLease(int brokerId, long nowMs) {
        if (heartbeatsInFlight.containsKey(brokerId)) {
            return true;
        }
        Lease lease = leases.get(brokerId);
        return lease != null && nowMs - lease.lastContactMs() <= sessionTimeoutMs;
    }

    /**
     * When the earliest lease of an unfenced broker (in controlled shutdown or not) expires: the first time at which
     * {@link #expiredUnfencedBrokers} would name it, {@code lastContactMs + sessionTimeoutMs + 1}. A registered
     * broker without a lease is due now (the next check gives it one). Brokers with a heartbeat waiting to be handled
     * are left out (they cannot expire before it is handled, which renews the lease); {@link Long#MAX_VALUE} when no
     * lease can expire. Costs one look per registered broker.
     */
    public long nextExpiryMs(MetadataImage image) {
        long earliest = Long.MAX_VALUE;
        for (BrokerImage broker : image.brokers().values()) {
            if (broker.fenced() || heartbeatsInFlight.containsKey(broker.brokerId())) {
                continue;
            }
            Lease lease = leases.get(broker.brokerId());
            if (lease == null) {
                return Long.MIN_VALUE;
            }
            earliest = Math.min(earliest, expiryMs(lease));
        }
        return earliest;
    }

    private long expiryMs(Lease lease) {
        long expiry = lease.lastContactMs() + sessionTimeoutMs + 1;
        return expiry < lease.lastContactMs() ? Long.MAX_VALUE : expiry; // no overflow for a far-future contact
    }

    /**
     * How long the broker has been silent: since its lease's last contact, -1 without a lease. For logs.
     */
    public long silenceMs(int brokerId, long nowMs) {
        Lease lease = leases.get(brokerId);
        return lease == null ? -1 : nowMs - lease.lastContactMs();
    }

    /**
     * The unfenced brokers (in controlled shutdown or not) whose lease expired, longest silent first. A registered
     * broker the tracker never heard of gets a fresh lease instead (it registered under another controller). A broker
     * with a heartbeat received but not yet handled has not expired.
     */
    public List<Integer> expiredUnfencedBrokers(MetadataImage image, long nowMs) {
        List<Lease> expired = new ArrayList<>();
        List<Integer> expiredIds = new ArrayList<>();
        for (BrokerImage broker : image.brokers().values()) {
            if (broker.fenced()) {
                continue;
            }
            Lease lease = leases.get(broker.brokerId());
            if (lease == null) {
                touch(broker.brokerId(), broker.brokerEpoch(), nowMs, -1);
            } else if (!heartbeatsInFlight.containsKey(broker.brokerId())
                    && nowMs - lease.lastContactMs() > sessionTimeoutMs) {
                expired.add(lease);
                expiredIds.add(broker.brokerId());
            }
        }
        // Sorted on the values read above: a heartbeat arriving meanwhile cannot break the comparator's contract.
        List<Integer> order = new ArrayList<>();
        for (int index = 0; index < expiredIds.size(); index++) {
            order.add(index);
        }
        order.sort(Comparator.comparingLong((Integer index) -> expired.get(index).lastContactMs())
                .thenComparing(index -> expiredIds.get(index)));
        return order.stream().map(expiredIds::get).toList();
    }

    /**
     * The lowest metadata offset reported by an active broker (unfenced, not in controlled shutdown, live lease),
     * {@link Long#MAX_VALUE} when there is none: Kafka lets a broker in controlled shutdown stop once every active
     * broker has seen the offset where its leaderships moved.
     */
    public long lowestActiveOffset(MetadataImage image, long nowMs) {
        long lowest = Long.MAX_VALUE;
        for (BrokerImage broker : image.brokers().values()) {
            Lease lease = leases.get(broker.brokerId());
            if (broker.active() && lease != null && hasLiveLease(broker.brokerId(), nowMs)) {
                lowest = Math.min(lowest, lease.metadataOffset());
            }
        }
        return lowest;
    }
}
