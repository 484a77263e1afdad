package io.fjord.broker.fetch;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.storage.TopicPartition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The leader's choice of the replica a consumer should fetch from (KIP-392, Kafka's
 * {@code ReplicaManager.findPreferredReadReplica}). Candidates are the followers in the ISR (from the metadata image)
 * whose log, as their last fetch reported it, holds the fetch offset, and whose broker is unfenced and has an
 * endpoint on the listener the consumer came in on; the leader is always a candidate. The selector picks one; the
 * answer is empty when it picks the leader (the consumer keeps fetching from it).
 *
 * <p>Thread-safe: keeps no state of its own; the follower positions are the caller's thread-safe view.
 */
public final class PreferredReadReplica {
    private final RackAwareReplicaSelector selector;
    private final FollowerPositions followers;
    private final InstantSource clock;

    public PreferredReadReplica(RackAwareReplicaSelector selector, FollowerPositions followers, InstantSource clock) {
        this.selector = selector;
        this.followers = followers;
        this.clock = clock;
    }

    /**
     * The follower a consumer in {@code clientRack} should read {@code partition} from, at {@code fetchOffset}; empty
     * for the leader.
     *
     * @param leaderLogEndOffset this leader's log end offset
     */
    public OptionalInt select(MetadataImage image, TopicPartition topicPartition, PartitionImage partition,
            String listenerName, String clientRack, long fetchOffset, long leaderLogEndOffset) {
        if (clientRack == null || clientRack.isEmpty()) {
            return OptionalInt.empty();
        }
        Optional<BrokerImage> leaderBroker = reachable(image, partition.leader(), listenerName);
        ReplicaView leader = new ReplicaView(partition.leader(), leaderBroker.map(BrokerImage::rack).orElse(null),
                leaderLogEndOffset, 0);
        long nowMs = clock.millis();
        List<ReplicaView> candidates = new ArrayList<>(partition.isr().size());
        for (int replica : partition.isr()) {
            if (replica == partition.leader()) {
                continue;
            }
            Optional<BrokerImage> broker = reachable(image, replica, listenerName);
            Optional<FollowerPositions.FollowerPosition> position = followers.position(topicPartition, replica);
            if (broker.isEmpty() || position.isEmpty()) {
                continue;
            }
            FollowerPositions.FollowerPosition follower = position.get();
            // It must hold the offset the consumer asks for, or the consumer would bounce back with an error.
            if (follower.logEndOffset() >= fetchOffset && follower.logStartOffset() <= fetchOffset) {
                candidates.add(new ReplicaView(replica, broker.get().rack(), follower.logEndOffset(),
                        Math.max(0, nowMs - follower.lastCaughtUpTimeMs())));
            }
        }
        ReplicaView chosen = selector.select(clientRack, leader, candidates);
        return chosen.brokerId() == partition.leader() ? OptionalInt.empty() : OptionalInt.of(chosen.brokerId());
    }

    /** The broker when it is registered, unfenced and listens on the listener (Kafka's replica endpoints). */
    private static Optional<BrokerImage> reachable(MetadataImage image, int brokerId, String listenerName) {
        BrokerImage broker = image.brokers().get(brokerId);
        if (broker == null || broker.fenced()) {
            return Optional.empty();
        }
        boolean listens = listenerName == null
                || broker.endpoints().stream().anyMatch(endpoint -> listenerName.equals(endpoint.listenerName()));
        return listens ? Optional.of(broker) : Optional.empty();
    }
}
