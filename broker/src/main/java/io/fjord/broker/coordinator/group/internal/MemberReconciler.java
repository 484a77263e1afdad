package io.fjord.broker.coordinator.group.internal;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.UUID;

/**
 * KIP-848's incremental reconciliation of one member towards its target assignment. Revocation comes first: a
 * member that must give up partitions keeps its epoch, loses them from its assignment and holds them as pending
 * revocation until a heartbeat's owned partitions no longer include any; only then does it move to the target
 * epoch and receive new partitions, and each of those only once no other member owns it (assigned or pending
 * revocation), which is what keeps a partition from having two owners. New partitions carry the epoch they were
 * given at.
 *
 * <p>Stateless and thread-safe.
 */
final class MemberReconciler {
    private MemberReconciler() {
    }

    /**
     * The member's next state.
     *
     * @param owned the partitions the member says it owns, or null when the heartbeat did not say
     */
    static ConsumerGroupMember reconcile(ConsumerGroup group, ConsumerGroupMember member, int targetEpoch,
            SortedMap<UUID, SortedSet<Integer>> target, Map<UUID, ? extends Set<Integer>> owned) {
        if (member.memberEpoch() < 0) {
            return member;
        }
        switch (member.state()) {
            case STABLE -> {
                if (member.memberEpoch() == targetEpoch) {
                    return member;
                }
            }
            case UNREVOKED_PARTITIONS -> {
                if (owned == null || Partitions.intersects(owned, member.partitionsPendingRevocation())) {
                    return member;
                }
            }
            default -> {
                // UNRELEASED_PARTITIONS (or unknown): try again, partitions may have been released.
            }
        }
        return next(group, member, targetEpoch, target);
    }

    private static ConsumerGroupMember next(ConsumerGroup group, ConsumerGroupMember member, int targetEpoch,
            SortedMap<UUID, SortedSet<Integer>> target) {
        SortedMap<UUID, SortedSet<Integer>> assigned = member.assignedPartitions();
        SortedMap<UUID, SortedSet<Integer>> revoke = Partitions.difference(assigned, target);
        if (!revoke.isEmpty()) {
            return member.withAssignment(member.memberEpoch(), member.previousMemberEpoch(),
                    ConsumerMemberState.UNREVOKED_PARTITIONS, restrict(member.assigned(), target),
                    restrict(member.assigned(), revoke));
        }
        TreeMap<UUID, SortedMap<Integer, Integer>> next = new TreeMap<>();
        member.assigned().forEach((topicId, epochs) -> next.put(topicId, new TreeMap<>(epochs)));
        boolean unreleased = false;
        for (Map.Entry<UUID, SortedSet<Integer>> topic : Partitions.difference(target, assigned).entrySet()) {
            for (int partition : topic.getValue()) {
                String owner = group.owner(topic.getKey(), partition);
                if (owner == null || owner.equals(member.memberId())) {
                    next.computeIfAbsent(topic.getKey(), id -> new TreeMap<>()).put(partition, targetEpoch);
                } else {
                    unreleased = true;
                }
            }
        }
        int previousEpoch = member.memberEpoch() == targetEpoch ? member.previousMemberEpoch() : member.memberEpoch();
        return member.withAssignment(targetEpoch, previousEpoch,
                unreleased ? ConsumerMemberState.UNRELEASED_PARTITIONS : ConsumerMemberState.STABLE, next,
                Map.of());
    }

    /** The partitions of {@code withEpochs} that are in {@code keep}, with their epochs. */
    private static SortedMap<UUID, SortedMap<Integer, Integer>> restrict(
            Map<UUID, SortedMap<Integer, Integer>> withEpochs, Map<UUID, SortedSet<Integer>> keep) {
        TreeMap<UUID, SortedMap<Integer, Integer>> result = new TreeMap<>();
        withEpochs.forEach((topicId, epochs) -> {
            Set<Integer> kept = keep.get(topicId);
            if (kept == null) {
                return;
            }
            epochs.forEach((partition, epoch) -> {
                if (kept.contains(partition)) {
                    result.computeIfAbsent(topicId, id -> new TreeMap<>()).put(partition, epoch);
                }
            });
        });
        return result;
    }
}
