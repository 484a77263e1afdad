package io.fjord.broker.coordinator.group.records;

import java.nio.ByteBuffer;

/**
 * Kafka's byte layout of {@code __consumer_offsets} records, so Kafka's tools read what Fjord writes and Fjord
 * loads what Kafka wrote: the key is the record type (int16) and the key fields, the value the value version
 * (int16) and the fields of that version; a tombstone has no value.
 *
 * <p>Stateless and thread-safe.
 */
public final class CoordinatorRecordSerde {
    private CoordinatorRecordSerde() {
    }

    public static byte[] serializeKey(RecordKey key) {
        RecordWriter writer = new RecordWriter();
        writer.int16(key.type().id());
        key.writeFields(writer);
        return writer.toByteArray();
    }

    /** The value's bytes, or null for a tombstone. */
    public static byte[] serializeValue(RecordValue value) {
        if (value == null) {
            return null;
        }
        RecordWriter writer = new RecordWriter();
        writer.int16(value.version());
        value.writeFields(writer);
        return writer.toByteArray();
    }

    /**
     * Reads one record.
     *
     * @param value null for a tombstone
     * @throws UnknownRecordTypeException for a key type Fjord does not read (the caller skips the record)
     * @throws CoordinatorRecordException for damaged bytes or an unknown value version
     */
    public static CoordinatorRecord deserialize(ByteBuffer key, ByteBuffer value) {
        RecordReader keyReader = new RecordReader(key);
        short typeId = keyReader.int16();
        RecordType type = RecordType.forId(typeId);
        if (type == null) {
            throw new UnknownRecordTypeException(typeId);
        }
        RecordKey recordKey = readKey(type, keyReader);
        if (value == null) {
            return CoordinatorRecord.tombstone(recordKey);
        }
        RecordReader valueReader = new RecordReader(value);
        short version = valueReader.int16();
        return new CoordinatorRecord(recordKey, readValue(type, version, valueReader));
    }

    private static RecordKey readKey(RecordType type, RecordReader reader) {
        return switch (type) {
            case LEGACY_OFFSET_COMMIT, OFFSET_COMMIT -> OffsetCommitKey.read(reader);
            case GROUP_METADATA, CONSUMER_GROUP_METADATA, CONSUMER_GROUP_PARTITION_METADATA,
                    CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA -> new GroupKey(type, reader.string());
            case CONSUMER_GROUP_MEMBER_METADATA, CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER,
                    CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT -> new MemberKey(type, reader.string(), reader.string());
            case CONSUMER_GROUP_REGULAR_EXPRESSION -> new RegularExpressionKey(reader.string(), reader.string());
        };
    }

    private static RecordValue readValue(RecordType type, short version, RecordReader reader) {
        if (type != RecordType.OFFSET_COMMIT && type != RecordType.LEGACY_OFFSET_COMMIT
                && type != RecordType.GROUP_METADATA && version != 0) {
            throw new CoordinatorRecordException("unknown " + type + " value version " + version);
        }
        return switch (type) {
            case LEGACY_OFFSET_COMMIT, OFFSET_COMMIT -> OffsetCommitValue.read(reader, version);
            case GROUP_METADATA -> GroupMetadataValue.read(reader, version);
            case CONSUMER_GROUP_METADATA -> ConsumerGroupMetadataValue.read(reader);
            case CONSUMER_GROUP_PARTITION_METADATA -> ConsumerGroupPartitionMetadataValue.read(reader);
            case CONSUMER_GROUP_MEMBER_METADATA -> ConsumerGroupMemberMetadataValue.read(reader);
            case CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA -> ConsumerGroupTargetAssignmentMetadataValue.read(reader);
            case CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER -> ConsumerGroupTargetAssignmentMemberValue.read(reader);
            case CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT -> ConsumerGroupCurrentMemberAssignmentValue.read(reader);
            case CONSUMER_GROUP_REGULAR_EXPRESSION -> ConsumerGroupRegularExpressionValue.read(reader);
        };
    }
}
