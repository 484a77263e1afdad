package io.fjord.broker.coordinator.group.records;

import java.util.ArrayList;
import java.util.List;

/**
 * A classic group's persisted state, versions 0-4 of Kafka's {@code GroupMetadataValue}: protocol type, generation,
 * selected protocol, leader, the time of the last state change (version 2+) and the members with their subscription
 * and assignment. Fjord writes version 3 (static members' instance ids, not flexible), as Kafka 4.x does. Immutable.
 *
 * @param protocol null for an empty group
 * @param leader null for an empty group
 * @param currentStateTimestampMs -1 when unknown (versions 0-1)
 */
public record GroupMetadataValue(String protocolType, int generation, String protocol, String leader,
        long currentStateTimestampMs, List<GroupMemberMetadata> members) implements RecordValue {
    public static final short WRITTEN_VERSION = 3;
    public static final short HIGHEST_VERSION = 4;

    public GroupMetadataValue {
        members = List.copyOf(members);
    }

    @Override
    public short version() {
        return WRITTEN_VERSION;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writeFields(writer, WRITTEN_VERSION);
    }

    void writeFields(RecordWriter writer, short version) {
        boolean flexible = version >= 4;
        writer.string(protocolType, flexible);
        writer.int32(generation);
        writer.string(protocol, flexible);
        writer.string(leader, flexible);
        if (version >= 2) {
            writer.int64(currentStateTimestampMs);
        }
        writer.arrayLength(members, flexible);
        for (GroupMemberMetadata member : members) {
            member.writeFields(writer, version);
        }
        if (flexible) {
            writer.noTaggedFields();
        }
    }

    static GroupMetadataValue read(RecordReader reader, short version) {
        if (version < 0 || version > HIGHEST_VERSION) {
            throw new CoordinatorRecordException("unknown GroupMetadataValue version " + version);
        }
        boolean flexible = version >= 4;
        String protocolType = reader.string(flexible);
        int generation = reader.int32();
        String protocol = reader.string(flexible);
        String leader = reader.string(flexible);
        long currentStateTimestampMs = version >= 2 ? reader.int64() : -1L;
        int count = reader.arrayLength(flexible);
        if (count < 0) {
            throw new CoordinatorRecordException("null members in GroupMetadataValue");
        }
        List<GroupMemberMetadata> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            members.add(GroupMemberMetadata.read(reader, version));
        }
        if (flexible) {
            reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        }
        return new GroupMetadataValue(protocolType, generation, protocol, leader, currentStateTimestampMs, members);
    }
}
