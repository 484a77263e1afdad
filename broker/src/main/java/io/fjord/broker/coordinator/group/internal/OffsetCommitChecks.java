package io.fjord.broker.coordinator.group.internal;

import io.fjord.protocol.Errors;

/**
 * The checks OffsetCommit and TxnOffsetCommit share, as Kafka's group coordinator applies them to both: a classic
 * group's generation and member, and each partition's topic, index and metadata size. Where the two APIs differ
 * (the error a missing group gets, and whether a commit must respect the group's membership state) the caller says
 * which. Stateless; thread-safe.
 */
final class OffsetCommitChecks {
    private OffsetCommitChecks() {
    }

    /**
     * A classic group's check of a commit (a missing group is created by the records of a commit with generation -1).
     *
     * @param groupNotFound what a commit with a generation gets when the group does not exist (GROUP_ID_NOT_FOUND
     *        from the versions that know it, else ILLEGAL_GENERATION)
     * @param membershipChecked OffsetCommit's rules: a commit without member information needs an Empty group
     *        (UNKNOWN_MEMBER_ID), and a member's commit waits for its assignment (REBALANCE_IN_PROGRESS while
     *        CompletingRebalance); TxnOffsetCommit accepts both, as the transaction decides whether it takes effect
     */
    static Errors validateClassic(GroupStore store, String groupId, int generationId, String memberId,
            String groupInstanceId, Errors groupNotFound, boolean membershipChecked) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        String member = memberId == null ? "" : memberId;
        ClassicGroup group = store.group(groupId);
        if (group == null) {
            return generationId < 0 ? Errors.NONE : groupNotFound;
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && group.isInState(ClassicGroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (generationId >= 0 || !member.isEmpty() || groupInstanceId != null) {
            Errors error = MemberValidation.validateMember(group, member, groupInstanceId);
            if (error != Errors.NONE) {
                return error;
            }
            if (generationId != group.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (membershipChecked && !group.isInState(ClassicGroupState.EMPTY)) {
            // Commits without membership are accepted only while the group is empty.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (membershipChecked && group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            // The member has its new generation but no assignment yet.
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    /**
     * The error of one committed partition before its record is written, NONE if it may be: an unknown topic
     * (UNKNOWN_TOPIC_ID when named by id), a negative index, metadata longer than {@code offset.metadata.max.bytes}.
     *
     * @param topicName the topic's name, null or empty when unknown
     * @param metadata the committed metadata, null read as empty
     */
    static Errors partitionError(String topicName, int partitionIndex, String metadata, boolean byId,
            int metadataMaxBytes) {
        if (topicName == null || topicName.isEmpty()) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (partitionIndex < 0) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (metadata != null && metadata.length() > metadataMaxBytes) {
            return Errors.OFFSET_METADATA_TOO_LARGE;
        }
        return Errors.NONE;
    }
}
