package io.fjord.broker.coordinator.group.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * One member of a classic group in {@link GroupMetadataValue}: its ids, timeouts, the protocol metadata of the
 * group's selected protocol (the subscription) and the assignment the leader gave it. Immutable (the arrays are not
 * copied; callers must not change them).
 *
 * @param groupInstanceId null for a dynamic member
 * @param rebalanceTimeoutMs -1 when not recorded (version 0)
 */
public record GroupMemberMetadata(String memberId, String groupInstanceId, String clientId, String clientHost,
        int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {

    void writeFields(RecordWriter writer, short version) {
        boolean flexible = version >= 4;
        writer.string(memberId, flexible);
        if (version >= 3) {
            writer.string(groupInstanceId, flexible);
        }
        writer.string(clientId, flexible);
        writer.string(clientHost, flexible);
        if (version >= 1) {
            writer.int32(rebalanceTimeoutMs);
        }
        writer.int32(sessionTimeoutMs);
        writer.bytes(subscription, flexible);
        writer.bytes(assignment, flexible);
        if (flexible) {
            writer.noTaggedFields();
        }
    }

    static GroupMemberMetadata read(RecordReader reader, short version) {
        boolean flexible = version >= 4;
        String memberId = reader.string(flexible);
        String groupInstanceId = version >= 3 ? reader.string(flexible) : null;
        String clientId = reader.string(flexible);
        String clientHost = reader.string(flexible);
        int rebalanceTimeoutMs = version >= 1 ? reader.int32() : -1;
        int sessionTimeoutMs = reader.int32();
        byte[] subscription = reader.bytes(flexible);
        byte[] assignment = reader.bytes(flexible);
        if (flexible) {
            reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        }
        return new GroupMemberMetadata(memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs,
                sessionTimeoutMs, subscription, assignment);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GroupMemberMetadata that
                && memberId.equals(that.memberId)
                && Objects.equals(groupInstanceId, that.groupInstanceId)
                && Objects.equals(clientId, that.clientId)
                && Objects.equals(clientHost, that.clientHost)
                && rebalanceTimeoutMs == that.rebalanceTimeoutMs
                && sessionTimeoutMs == that.sessionTimeoutMs
                && Arrays.equals(subscription, that.subscription)
                && Arrays.equals(assignment, that.assignment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(memberId, groupInstanceId, rebalanceTimeoutMs, sessionTimeoutMs)
                + 31 * Arrays.hashCode(subscription) + 961 * Arrays.hashCode(assignment);
    }

    @Override
    public String toString() {
        return "GroupMemberMetadata[memberId=" + memberId + ", groupInstanceId=" + groupInstanceId + ", clientId="
                + clientId + ", subscription=" + (subscription == null ? -1 : subscription.length)
                + " bytes, assignment=" + (assignment == null ? -1 : assignment.length) + " bytes]";
    }
}
