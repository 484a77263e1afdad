package io.fjord.broker.coordinator.group.records;

import java.util.UUID;

/**
 * A committed offset, versions 0-4 of Kafka's {@code OffsetCommitValue}: version 1 carries an expire timestamp
 * (commits of OffsetCommit v2-v4 with a retention time), version 3 adds the leader epoch, version 4 is flexible and
 * may carry the topic id as tagged field 0. Fjord writes version 1 when there is an expire timestamp and version 3
 * otherwise, as Kafka does. Immutable.
 *
 * @param leaderEpoch -1 when unknown
 * @param metadata never null (a null from a client is stored as the empty string)
 * @param expireTimestampMs -1 when the broker's retention applies
 * @param topicId null when not recorded
 */
public record OffsetCommitValue(long offset, int leaderEpoch, String metadata, long commitTimestampMs,
        long expireTimestampMs, UUID topicId) implements RecordValue {
    public static final short HIGHEST_VERSION = 4;
    private static final UUID ZERO_UUID = new UUID(0L, 0L);

    @Override
    public short version() {
        return expireTimestampMs >= 0 ? (short) 1 : (short) 3;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writeFields(writer, version());
    }

    void writeFields(RecordWriter writer, short version) {
        boolean flexible = version >= 4;
        writer.int64(offset);
        if (version >= 3) {
            writer.int32(leaderEpoch);
        }
        writer.string(metadata, flexible);
        writer.int64(commitTimestampMs);
        if (version == 1) {
            writer.int64(expireTimestampMs);
        }
        if (flexible) {
            RecordWriter field = null;
            if (topicId != null && !topicId.equals(ZERO_UUID)) {
                field = new RecordWriter();
                field.uuid(topicId);
            }
            writer.optionalTaggedField(0, field);
        }
    }

    static OffsetCommitValue read(RecordReader reader, short version) {
        if (version < 0 || version > HIGHEST_VERSION) {
            throw new CoordinatorRecordException("unknown OffsetCommitValue version " + version);
        }
        boolean flexible = version >= 4;
        long offset = reader.int64();
        int leaderEpoch = version >= 3 ? reader.int32() : -1;
        String metadata = reader.string(flexible);
        long commitTimestampMs = reader.int64();
        long expireTimestampMs = version == 1 ? reader.int64() : -1L;
        UUID[] topicId = new UUID[1];
        if (flexible) {
            reader.taggedFields((tag, fieldReader) -> {
                if (tag != 0) {
                    return false;
                }
                topicId[0] = fieldReader.uuid();
                return true;
            });
        }
        return new OffsetCommitValue(offset, leaderEpoch, metadata == null ? "" : metadata, commitTimestampMs,
                expireTimestampMs, topicId[0]);
    }
}
