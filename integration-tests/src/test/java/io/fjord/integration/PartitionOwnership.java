package io.fjord.integration;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who owns which partition of one topic, as the members' rebalance listeners report it; records every moment at which
 * a partition was assigned to a member while another still held it. Thread-safe.
 */
final class PartitionOwnership {
    private final Map<Integer, String> owners = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    synchronized void assigned(String member, Collection<Integer> partitions) {
        for (int partition : partitions) {
            String previous = owners.get(partition);
            if (previous != null && !previous.equals(member)) {
                violations.add("partition " + partition + " assigned to " + member + " while " + previous
                        + " still owned it");
            }
            owners.put(partition, member);
        }
    }

    synchronized void revoked(String member, Collection<Integer> partitions) {
        for (int partition : partitions) {
            owners.remove(partition, member);
        }
    }

    /** The member is gone (closed or killed): it owns nothing any more. */
    synchronized void gone(String member) {
        owners.values().removeIf(member::equals);
    }

    synchronized Set<Integer> ownedBy(String member) {
        Set<Integer> owned = new TreeSet<>();
        owners.forEach((partition, owner) -> {
            if (owner.equals(member)) {
                owned.add(partition);
            }
        });
        return owned;
    }

    synchronized Set<Integer> owned() {
        return new TreeSet<>(owners.keySet());
    }

    synchronized Set<String> owners() {
        return new TreeSet<>(owners.values());
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }
}
