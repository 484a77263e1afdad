package io.fjord.broker.coordinator.group.records;

/**
 * A key naming a member of a KIP-848 group: {@link RecordType#CONSUMER_GROUP_MEMBER_METADATA},
 * {@link RecordType#CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER} and
 * {@link RecordType#CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT}. Immutable.
 */
public record MemberKey(RecordType type, String groupId, String memberId) implements RecordKey {
    @Override
    public void writeFields(RecordWriter writer) {
        writer.string(groupId);
        writer.string(memberId);
    }
}
