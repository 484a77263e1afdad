package io.fjord.broker.coordinator.group.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.protocol.types.ArrayOf;
import org.apache.kafka.common.protocol.types.CompactArrayOf;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;
import org.junit.jupiter.api.Test;

/**
 * Round trips of every record type, and cross-checks against kafka-clients' own schema reader and writer
 * ({@code protocol.types.Schema}) with the layouts transcribed from Kafka's group-coordinator JSON schemas, so the
 * bytes are what Kafka writes and reads.
 */
class CoordinatorRecordSerdeTest {
    private static final UUID TOPIC_ID = new UUID(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);

    private static CoordinatorRecord roundTrip(CoordinatorRecord record) {
        byte[] value = CoordinatorRecordSerde.serializeValue(record.value());
        return CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key())),
                value == null ? null : ByteBuffer.wrap(value));
    }

    private static GroupMetadataValue groupMetadata() {
        return new GroupMetadataValue("consumer", 7, "range", "member-1", 1_700_000_000_000L, List.of(
                new GroupMemberMetadata("member-1", "instance-1", "client", "/10.0.0.1", 30_000, 10_000,
                        new byte[] {1, 2, 3}, new byte[] {4, 5}),
                new GroupMemberMetadata("member-2", null, "client", "/10.0.0.2", 30_000, 10_000,
                        new byte[0], new byte[] {6})));
    }

    @Test
    void everyRecordTypeRoundTrips() {
        List<CoordinatorRecord> records = List.of(
                new CoordinatorRecord(new OffsetCommitKey("g", "t", 3),
                        new OffsetCommitValue(42L, 5, "meta", 1000L, -1L, null)),
                new CoordinatorRecord(new OffsetCommitKey("g", "t", 4),
                        new OffsetCommitValue(43L, -1, "", 1000L, 5000L, null)),
                CoordinatorRecord.tombstone(new OffsetCommitKey("g", "t", 5)),
                new CoordinatorRecord(GroupKey.groupMetadata("g"), groupMetadata()),
                new CoordinatorRecord(GroupKey.groupMetadata("g"),
                        new GroupMetadataValue("", 0, null, null, -1L, List.of())),
                CoordinatorRecord.tombstone(GroupKey.groupMetadata("g")),
                new CoordinatorRecord(new GroupKey(RecordType.CONSUMER_GROUP_METADATA, "g"),
                        new ConsumerGroupMetadataValue(9, 0xabcdefL)),
                new CoordinatorRecord(new GroupKey(RecordType.CONSUMER_GROUP_METADATA, "g"),
                        new ConsumerGroupMetadataValue(9, 0L)),
                new CoordinatorRecord(new GroupKey(RecordType.CONSUMER_GROUP_PARTITION_METADATA, "g"),
                        new ConsumerGroupPartitionMetadataValue(List.of(
                                new ConsumerGroupPartitionMetadataValue.TopicMetadata(TOPIC_ID, "t", 3, List.of(
                                        new ConsumerGroupPartitionMetadataValue.PartitionRacks(0,
                                                List.of("r1", "r2"))))))),
                new CoordinatorRecord(new MemberKey(RecordType.CONSUMER_GROUP_MEMBER_METADATA, "g", "m"),
                        new ConsumerGroupMemberMetadataValue("i", null, "c", "h", List.of("a", "b"), "a.*", 300,
                                "uniform", new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata(45_000,
                                        List.of(new ConsumerGroupMemberMetadataValue.ClassicProtocol("range",
                                                new byte[] {9}))))),
                new CoordinatorRecord(new MemberKey(RecordType.CONSUMER_GROUP_MEMBER_METADATA, "g", "m"),
                        new ConsumerGroupMemberMetadataValue(null, "rack", "c", "h", List.of(), null, -1, null,
                                null)),
                new CoordinatorRecord(new GroupKey(RecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA, "g"),
                        new ConsumerGroupTargetAssignmentMetadataValue(4, 123L)),
                new CoordinatorRecord(new MemberKey(RecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER, "g", "m"),
                        new ConsumerGroupTargetAssignmentMemberValue(List.of(
                                new TopicPartitions(TOPIC_ID, List.of(0, 2), null)))),
                new CoordinatorRecord(new MemberKey(RecordType.CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT, "g", "m"),
                        new ConsumerGroupCurrentMemberAssignmentValue(5, 4, (byte) 1,
                                List.of(new TopicPartitions(TOPIC_ID, List.of(1), List.of(5))),
                                List.of(new TopicPartitions(TOPIC_ID, List.of(3), null)))),
                new CoordinatorRecord(new RegularExpressionKey("g", "a.*"),
                        new ConsumerGroupRegularExpressionValue(List.of("ab", "ac"), 17L, 99L)));
        for (CoordinatorRecord record : records) {
            assertThat(roundTrip(record)).as(record.toString()).isEqualTo(record);
        }
    }

    @Test
    void keysStartWithKafkasTypeIds() {
        assertThat(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(new OffsetCommitKey("g", "t", 0))).getShort())
                .isEqualTo((short) 1);
        assertThat(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(GroupKey.groupMetadata("g"))).getShort())
                .isEqualTo((short) 2);
        assertThat(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(new RegularExpressionKey("g", "x")))
                .getShort()).isEqualTo((short) 16);
    }

    @Test
    void offsetCommitValueMatchesKafkasVersion3And1Layouts() {
        Schema version3 = new Schema(new Field("offset", Type.INT64), new Field("leader_epoch", Type.INT32),
                new Field("metadata", Type.STRING), new Field("commit_timestamp", Type.INT64));
        ByteBuffer bytes = ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(
                new OffsetCommitValue(42L, 5, "meta", 1000L, -1L, null)));
        assertThat(bytes.getShort()).isEqualTo((short) 3);
        Struct struct = version3.read(bytes);
        assertThat(bytes.remaining()).isZero();
        assertThat(struct.getLong("offset")).isEqualTo(42L);
        assertThat(struct.getInt("leader_epoch")).isEqualTo(5);
        assertThat(struct.getString("metadata")).isEqualTo("meta");
        assertThat(struct.getLong("commit_timestamp")).isEqualTo(1000L);

        Schema version1 = new Schema(new Field("offset", Type.INT64), new Field("metadata", Type.STRING),
                new Field("commit_timestamp", Type.INT64), new Field("expire_timestamp", Type.INT64));
        bytes = ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(
                new OffsetCommitValue(43L, -1, "", 1000L, 5000L, null)));
        assertThat(bytes.getShort()).isEqualTo((short) 1);
        struct = version1.read(bytes);
        assertThat(struct.getLong("expire_timestamp")).isEqualTo(5000L);
    }

    @Test
    void readsOffsetCommitValuesKafkaWroteInVersion4WithTopicId() {
        Schema version4 = new Schema(new Field("offset", Type.INT64), new Field("leader_epoch", Type.INT32),
                new Field("metadata", Type.COMPACT_STRING), new Field("commit_timestamp", Type.INT64),
                Field.TaggedFieldsSection.of(0, new Field("topic_id", Type.UUID)));
        Struct struct = new Struct(version4).set("offset", 7L).set("leader_epoch", 2).set("metadata", "m")
                .set("commit_timestamp", 11L);
        Map<Integer, Object> tagged = new TreeMap<>();
        tagged.put(0, org.apache.kafka.common.Uuid.fromString("EjRWeJq83vAP7cuph2VDIQ"));
        struct.set("_tagged_fields", tagged);
        ByteBuffer buffer = ByteBuffer.allocate(2 + version4.sizeOf(struct));
        buffer.putShort((short) 4);
        version4.write(buffer, struct);
        buffer.flip();
        CoordinatorRecord record = CoordinatorRecordSerde.deserialize(
                ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(new OffsetCommitKey("g", "t", 0))), buffer);
        OffsetCommitValue value = (OffsetCommitValue) record.value();
        assertThat(value).isEqualTo(new OffsetCommitValue(7L, 2, "m", 11L, -1L, TOPIC_ID));
    }

    private static Schema groupMetadataVersion3() {
        Schema member = new Schema(new Field("member_id", Type.STRING),
                new Field("group_instance_id", Type.NULLABLE_STRING), new Field("client_id", Type.STRING),
                new Field("client_host", Type.STRING), new Field("rebalance_timeout", Type.INT32),
                new Field("session_timeout", Type.INT32), new Field("subscription", Type.BYTES),
                new Field("assignment", Type.BYTES));
        return new Schema(new Field("protocol_type", Type.STRING), new Field("generation", Type.INT32),
                new Field("protocol", Type.NULLABLE_STRING), new Field("leader", Type.NULLABLE_STRING),
                new Field("current_state_timestamp", Type.INT64), new Field("members", new ArrayOf(member)));
    }

    @Test
    void groupMetadataValueIsKafkasVersion3() {
        ByteBuffer bytes = ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(groupMetadata()));
        assertThat(bytes.getShort()).isEqualTo((short) 3);
        Struct struct = groupMetadataVersion3().read(bytes);
        assertThat(bytes.remaining()).isZero();
        assertThat(struct.getString("protocol_type")).isEqualTo("consumer");
        assertThat(struct.getInt("generation")).isEqualTo(7);
        assertThat(struct.getString("leader")).isEqualTo("member-1");
        Object[] members = struct.getArray("members");
        assertThat(members).hasSize(2);
        Struct first = (Struct) members[0];
        assertThat(first.getString("group_instance_id")).isEqualTo("instance-1");
        assertThat(first.getInt("rebalance_timeout")).isEqualTo(30_000);
        ByteBuffer assignment = first.getBytes("assignment");
        assertThat(assignment.remaining()).isEqualTo(2);
        assertThat(((Struct) members[1]).getString("group_instance_id")).isNull();
    }

    @Test
    void readsGroupMetadataKafkaWroteInFlexibleVersion4() {
        Schema member = new Schema(new Field("member_id", Type.COMPACT_STRING),
                new Field("group_instance_id", Type.COMPACT_NULLABLE_STRING),
                new Field("client_id", Type.COMPACT_STRING), new Field("client_host", Type.COMPACT_STRING),
                new Field("rebalance_timeout", Type.INT32), new Field("session_timeout", Type.INT32),
                new Field("subscription", Type.COMPACT_BYTES), new Field("assignment", Type.COMPACT_BYTES),
                Field.TaggedFieldsSection.of());
        Schema version4 = new Schema(new Field("protocol_type", Type.COMPACT_STRING),
                new Field("generation", Type.INT32), new Field("protocol", Type.COMPACT_NULLABLE_STRING),
                new Field("leader", Type.COMPACT_NULLABLE_STRING), new Field("current_state_timestamp", Type.INT64),
                new Field("members", new CompactArrayOf(member)), Field.TaggedFieldsSection.of());
        Struct memberStruct = new Struct(member).set("member_id", "m").set("group_instance_id", null)
                .set("client_id", "c").set("client_host", "h").set("rebalance_timeout", 5).set("session_timeout", 6)
                .set("subscription", ByteBuffer.wrap(new byte[] {1})).set("assignment", ByteBuffer.wrap(new byte[0]))
                .set("_tagged_fields", new TreeMap<>());
        Struct struct = new Struct(version4).set("protocol_type", "consumer").set("generation", 3)
                .set("protocol", "range").set("leader", "m").set("current_state_timestamp", 77L)
                .set("members", new Object[] {memberStruct}).set("_tagged_fields", new TreeMap<>());
        ByteBuffer buffer = ByteBuffer.allocate(2 + version4.sizeOf(struct));
        buffer.putShort((short) 4);
        version4.write(buffer, struct);
        buffer.flip();
        CoordinatorRecord record = CoordinatorRecordSerde.deserialize(
                ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(GroupKey.groupMetadata("g"))), buffer);
        assertThat(record.value()).isEqualTo(new GroupMetadataValue("consumer", 3, "range", "m", 77L, List.of(
                new GroupMemberMetadata("m", null, "c", "h", 5, 6, new byte[] {1}, new byte[0]))));
    }

    @Test
    void consumerGroupMetadataMatchesKafkasFlexibleLayout() {
        Schema version0 = new Schema(new Field("epoch", Type.INT32),
                Field.TaggedFieldsSection.of(0, new Field("metadata_hash", Type.INT64)));
        ByteBuffer bytes = ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(
                new ConsumerGroupMetadataValue(9, 0xabcdefL)));
        assertThat(bytes.getShort()).isZero();
        Struct struct = version0.read(bytes);
        assertThat(bytes.remaining()).isZero();
        assertThat(struct.getInt("epoch")).isEqualTo(9);
        @SuppressWarnings("unchecked")
        Map<Integer, Object> tagged = (Map<Integer, Object>) struct.get("_tagged_fields");
        assertThat(tagged).containsEntry(0, 0xabcdefL);
    }

    @Test
    void unknownTypesAndDamagedBytesAreRefused() {
        ByteBuffer shareKey = ByteBuffer.allocate(4).putShort((short) 10).putShort((short) 0).flip();
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(shareKey, null))
                .isInstanceOf(UnknownRecordTypeException.class);
        byte[] value = CoordinatorRecordSerde.serializeValue(groupMetadata());
        byte[] key = CoordinatorRecordSerde.serializeKey(GroupKey.groupMetadata("g"));
        SplittableRandom random = new SplittableRandom(20261125L);
        System.out.println("damaged-bytes seed 20261125");
        for (int i = 0; i < 2_000; i++) {
            byte[] damaged = value.clone();
            int cut = random.nextInt(damaged.length);
            damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            ByteBuffer truncated = ByteBuffer.wrap(damaged, 0, random.nextBoolean() ? cut : damaged.length);
            try {
                CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), truncated);
            } catch (CoordinatorRecordException expected) {
                // damaged input is refused, never an unbounded allocation or another exception
            }
        }
        ByteBuffer hugeCount = ByteBuffer.allocate(64).putShort((short) 3).putShort((short) 0).putInt(1)
                .putShort((short) -1).putShort((short) -1).putLong(0L).putInt(Integer.MAX_VALUE).flip();
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), hugeCount))
                .isInstanceOf(CoordinatorRecordException.class);
        ByteBuffer unknownVersion = ByteBuffer.allocate(2).putShort((short) 9).flip();
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), unknownVersion))
                .isInstanceOf(CoordinatorRecordException.class);
    }
}
