package io.fjord.broker.coordinator.group.internal;

import io.fjord.protocol.Errors;

/**
 * Kafka's identity check of a request from an existing member: a static member's instance id must map to the
 * member id it sends (else FENCED_INSTANCE_ID, or UNKNOWN_MEMBER_ID when the instance is unknown); a dynamic
 * member must be in the group.
 *
 * <p>Stateless and thread-safe.
 */
final class MemberValidation {
    private MemberValidation() {
    }

    static Errors validateMember(ClassicGroup group, String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String existing = group.staticMemberId(groupInstanceId);
            if (existing == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return existing.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        return group.hasMember(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }
}
