package io.fjord.integration;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Which member owns which partition, from the members' rebalance callbacks: a member claims partitions when they are
 * assigned and gives them up when they are revoked or lost. A claim of a partition another member still holds is a
 * violation of the group protocol's promise (each partition owned by at most one member at a time). The callbacks of
 * in-process members run before the member tells the coordinator it let go, so the ledger sees the real order.
 * Thread-safe.
 */
final class OwnershipLedger {
    private final Map<TopicPartition, String> owners = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    synchronized void claim(String member, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            String previous = owners.putIfAbsent(partition, member);
            if (previous != null && !previous.equals(member)) {
                violations.add(member + " was given " + partition + " while " + previous + " still owned it");
                owners.put(partition, member);
            }
        }
    }

    synchronized void release(String member, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            owners.remove(partition, member);
        }
    }

    /** Gives up everything {@code member} holds (it was killed: it owns nothing any more). */
    synchronized void releaseAll(String member) {
        owners.values().removeIf(member::equals);
    }

    synchronized Set<TopicPartition> ownedBy(String member) {
        Set<TopicPartition> owned = new HashSet<>();
        owners.forEach((partition, owner) -> {
            if (owner.equals(member)) {
                owned.add(partition);
            }
        });
        return owned;
    }

    synchronized Set<String> owners() {
        return new HashSet<>(owners.values());
    }

    synchronized Set<TopicPartition> ownedPartitions() {
        return new HashSet<>(owners.keySet());
    }

    synchronized List<String> violations() {
        return new ArrayList<>(violations);
    }
}
