package io.fjord.broker.coordinator.group.internal;

import io.fjord.protocol.Errors;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;

/**
 * Kafka's member checks of offset requests to KIP-848 groups. OffsetCommit: a commit without a member epoch
 * (-1) is accepted while the group is Empty (admin tools); otherwise the member must exist (UNKNOWN_MEMBER_ID), use
 * OffsetCommit v9+ (UNSUPPORTED_VERSION) and not claim an epoch above its own (STALE_MEMBER_EPOCH); an older epoch
 * is accepted per partition when the member was given that partition at or before it (KIP-1251 assignment epochs),
 * else STALE_MEMBER_EPOCH. OffsetFetch with a member id: the member must exist and the epoch match exactly.
 *
 * <p>Stateless and thread-safe.
 */
final class ConsumerOffsetValidation {
    private ConsumerOffsetValidation() {
    }

    /** The result of checking a commit: a request-wide error, else a per-partition rule. Immutable. */
    record CommitCheck(Errors groupError, ConsumerGroupMember member, int memberEpoch) {
        /** The error for one partition of an accepted request (topic id null when unknown). */
        Errors partitionError(UUID topicId, int partition) {
            if (member == null || memberEpoch == member.memberEpoch()) {
                return Errors.NONE;
            }
            Integer assignedAt = assignmentEpoch(member.assigned(), topicId, partition);
            if (assignedAt == null) {
                assignedAt = assignmentEpoch(member.pendingRevocation(), topicId, partition);
            }
            return assignedAt != null && assignedAt <= memberEpoch ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
        }

        private static Integer assignmentEpoch(SortedMap<UUID, SortedMap<Integer, Integer>> partitions,
                UUID topicId, int partition) {
            Map<Integer, Integer> epochs = topicId == null ? null : partitions.get(topicId);
            return epochs == null ? null : epochs.get(partition);
        }
    }

    static CommitCheck commitCheck(ConsumerGroup group, String memberId, int memberEpoch, short apiVersion) {
        if (memberEpoch < 0 && group.isEmpty()) {
            return new CommitCheck(Errors.NONE, null, memberEpoch);
        }
        ConsumerGroupMember member = memberId == null ? null : group.member(memberId);
        if (member == null) {
            return new CommitCheck(Errors.UNKNOWN_MEMBER_ID, null, memberEpoch);
        }
        if (apiVersion < 9) {
            return new CommitCheck(Errors.UNSUPPORTED_VERSION, null, memberEpoch);
        }
        if (memberEpoch > member.memberEpoch()) {
            return new CommitCheck(Errors.STALE_MEMBER_EPOCH, null, memberEpoch);
        }
        return new CommitCheck(Errors.NONE, member, memberEpoch);
    }

    /**
     * A TxnOffsetCommit's check (Kafka's transactional offset commit validation): as {@link #commitCheck}, but any
     * API version is accepted (the producer, not the consumer, sends it).
     */
    static CommitCheck transactionalCommitCheck(ConsumerGroup group, String memberId, int memberEpoch) {
        return commitCheck(group, memberId, memberEpoch, Short.MAX_VALUE);
    }

    /** The group-level error of an OffsetFetch (v9+) naming a member, or NONE. */
    static Errors fetchError(ConsumerGroup group, String memberId, int memberEpoch) {
        // Without a member (null id and no epoch: admin tools) the fetch is accepted, as in Kafka.
        if (group == null || (memberEpoch < 0 && memberId == null)) {
            return Errors.NONE;
        }
        ConsumerGroupMember member = memberId == null ? null : group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return memberEpoch == member.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }
}
