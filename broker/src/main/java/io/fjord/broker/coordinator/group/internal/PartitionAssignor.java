package io.fjord.broker.coordinator.group.internal;

import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;

/**
 * A server-side assignor of KIP-848 groups: from the members' subscriptions, the topics' partition counts and the
 * current target assignment, the next target assignment. Must be deterministic (every replica of the coordinator
 * computes the same one) and give each partition of a subscribed topic to exactly one subscribed member.
 * Implementations are stateless and thread-safe.
 */
interface PartitionAssignor {
    /** The name members ask for in {@code server_assignor}. */
    String name();

    /** Every member of the spec, with its partitions (possibly none). */
    Map<String, SortedMap<UUID, SortedSet<Integer>>> assign(Spec spec);

    /**
     * What an assignor works from. Immutable once built.
     *
     * @param memberTopics each member's subscribed topics that exist, by id, members sorted by id
     * @param partitionCounts the number of partitions of every topic some member subscribes to
     * @param currentTarget the target assignment now, by member (stickiness)
     */
    record Spec(SortedMap<String, SortedSet<UUID>> memberTopics, Map<UUID, Integer> partitionCounts,
            Map<String, SortedMap<UUID, SortedSet<Integer>>> currentTarget) {
    }

    static PartitionAssignor named(String name) {
        return switch (name) {
            case UniformAssignor.NAME -> new UniformAssignor();
            case RangeAssignor.NAME -> new RangeAssignor();
            default -> throw new IllegalArgumentException("unknown assignor " + name);
        };
    }
}
