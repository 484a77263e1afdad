package io.fjord.broker.fetch;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Kafka's {@code org.apache.kafka.common.replica.RackAwareReplicaSelector} (KIP-392): a consumer that names its rack
 * ({@code client.rack}) reads from the leader when the leader is in that rack, else from the most caught-up replica
 * in that rack (the largest log end offset, then the most recently caught up; the smallest broker id breaks the
 * remaining ties so the choice is deterministic), and from the leader when no replica is in its rack or it names
 * none. Stateless and thread-safe.
 */
public final class RackAwareReplicaSelector {
    /** The value of {@code replica.selector.class} that selects this selector, Kafka's class name. */
    public static final String KAFKA_CLASS_NAME = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

    private static final Comparator<ReplicaView> MOST_CAUGHT_UP = Comparator
            .comparingLong(ReplicaView::logEndOffset)
            .thenComparing(Comparator.comparingLong(ReplicaView::timeSinceLastCaughtUpMs).reversed())
            .thenComparing(Comparator.comparingInt(ReplicaView::brokerId).reversed());

    /**
     * The replica the client should read from.
     *
     * @param clientRack the consumer's rack, or null or empty when it names none
     * @param leader the leader's view
     * @param candidates the replicas the client may read from, the leader among them or not
     */
    public ReplicaView select(String clientRack, ReplicaView leader, Collection<ReplicaView> candidates) {
        if (clientRack == null || clientRack.isEmpty()) {
            return leader;
        }
        if (clientRack.equals(leader.rack())) {
            return leader;
        }
        Optional<ReplicaView> sameRack = candidates.stream()
                .filter(replica -> clientRack.equals(replica.rack()))
                .max(MOST_CAUGHT_UP);
        return sameRack.orElse(leader);
    }
}
