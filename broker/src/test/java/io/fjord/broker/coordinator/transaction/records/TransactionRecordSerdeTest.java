package io.fjord.broker.coordinator.transaction.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.coordinator.group.records.CoordinatorRecordException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.protocol.types.ArrayOf;
import org.apache.kafka.common.protocol.types.CompactArrayOf;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;
import org.junit.jupiter.api.Test;

/**
 * Round trips of {@code __transaction_state} records in both value versions, and cross-checks against
 * kafka-clients' schema reader and writer ({@code protocol.types.Schema}) with the layouts transcribed from Kafka's
 * {@code TransactionLogKey}/{@code TransactionLogValue} JSON schemas, so the bytes are what Kafka writes and reads.
 */
class TransactionRecordSerdeTest {
    private static final Schema PARTITIONS_V0 = new Schema(new Field("topic", Type.STRING),
            new Field("partition_ids", new ArrayOf(Type.INT32)));
    private static final Schema VALUE_V0 = new Schema(new Field("producer_id", Type.INT64),
            new Field("producer_epoch", Type.INT16), new Field("transaction_timeout_ms", Type.INT32),
            new Field("transaction_status", Type.INT8),
            new Field("transaction_partitions", ArrayOf.nullable(PARTITIONS_V0)),
            new Field("transaction_last_update_timestamp_ms", Type.INT64),
            new Field("transaction_start_timestamp_ms", Type.INT64));
    private static final Schema PARTITIONS_V1 = new Schema(new Field("topic", Type.COMPACT_STRING),
            new Field("partition_ids", new CompactArrayOf(Type.INT32)), Field.TaggedFieldsSection.of());
    private static final Schema VALUE_V1 = new Schema(new Field("producer_id", Type.INT64),
            new Field("producer_epoch", Type.INT16), new Field("transaction_timeout_ms", Type.INT32),
            new Field("transaction_status", Type.INT8),
            new Field("transaction_partitions", CompactArrayOf.nullable(PARTITIONS_V1)),
            new Field("transaction_last_update_timestamp_ms", Type.INT64),
            new Field("transaction_start_timestamp_ms", Type.INT64),
            Field.TaggedFieldsSection.of(0, new Field("previous_producer_id", Type.INT64),
                    1, new Field("next_producer_id", Type.INT64),
                    2, new Field("client_transaction_version", Type.INT16),
                    3, new Field("next_producer_epoch", Type.INT16)));

    private static TransactionLogValue ongoing(short version) {
        return new TransactionLogValue(version, 1000L, 999L, 1001L, (short) 5, (short) -1, 60_000, (byte) 1,
                List.of(new TransactionPartitions("orders", List.of(0, 2)),
                        new TransactionPartitions("payments", List.of(1))),
                1_700_000_001_000L, 1_700_000_000_000L, (short) 2);
    }

    private static TransactionRecord roundTrip(TransactionRecord record) {
        byte[] value = TransactionRecordSerde.serializeValue(record.value());
        return TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey(record.transactionalId())),
                value == null ? null : ByteBuffer.wrap(value));
    }

    @Test
    void roundTripsBothValueVersionsAndTombstones() {
        TransactionRecord version1 = new TransactionRecord("txn-1", ongoing((short) 1));
        assertThat(roundTrip(version1)).isEqualTo(version1);
        TransactionRecord empty = new TransactionRecord("txn-2", new TransactionLogValue((short) 1, 7L, -1L, -1L,
                (short) 0, (short) -1, 30_000, (byte) 0, null, 5L, -1L, (short) 0));
        assertThat(roundTrip(empty)).isEqualTo(empty);
        // Version 0 has no KIP-890 fields: they read back as their defaults.
        TransactionRecord version0 = new TransactionRecord("txn-3", ongoing((short) 0));
        TransactionLogValue read = roundTrip(version0).value();
        assertThat(read).isEqualTo(new TransactionLogValue((short) 0, 1000L, -1L, -1L, (short) 5, (short) -1,
                60_000, (byte) 1, ongoing((short) 0).partitions(), 1_700_000_001_000L, 1_700_000_000_000L,
                (short) 0));
        TransactionRecord tombstone = TransactionRecord.tombstone("txn-4");
        assertThat(roundTrip(tombstone)).isEqualTo(tombstone);
    }

    @Test
    void keyIsKafkasTypePrefixedTransactionLogKey() {
        ByteBuffer key = ByteBuffer.wrap(TransactionRecordSerde.serializeKey("my-txn"));
        assertThat(key.getShort()).isEqualTo((short) 0);
        assertThat(new Schema(new Field("transactional_id", Type.STRING)).read(key).getString("transactional_id"))
                .isEqualTo("my-txn");
        assertThat(key.remaining()).isZero();
    }

    @Test
    void version0ValueMatchesKafkasLayout() {
        ByteBuffer bytes = ByteBuffer.wrap(TransactionRecordSerde.serializeValue(ongoing((short) 0)));
        assertThat(bytes.getShort()).isEqualTo((short) 0);
        Struct struct = VALUE_V0.read(bytes);
        assertThat(bytes.remaining()).isZero();
        assertThat(struct.getLong("producer_id")).isEqualTo(1000L);
        assertThat(struct.getShort("producer_epoch")).isEqualTo((short) 5);
        assertThat(struct.getInt("transaction_timeout_ms")).isEqualTo(60_000);
        assertThat(struct.get("transaction_status")).isEqualTo((byte) 1);
        Object[] partitions = struct.getArray("transaction_partitions");
        assertThat(partitions).hasSize(2);
        assertThat(((Struct) partitions[0]).getString("topic")).isEqualTo("orders");
        assertThat(((Struct) partitions[0]).getArray("partition_ids")).containsExactly(0, 2);
        assertThat(struct.getLong("transaction_start_timestamp_ms")).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void version1ValueMatchesKafkasLayoutWithTaggedFields() {
        ByteBuffer bytes = ByteBuffer.wrap(TransactionRecordSerde.serializeValue(ongoing((short) 1)));
        assertThat(bytes.getShort()).isEqualTo((short) 1);
        Struct struct = VALUE_V1.read(bytes);
        assertThat(bytes.remaining()).isZero();
        assertThat(struct.getLong("producer_id")).isEqualTo(1000L);
        @SuppressWarnings("unchecked")
        Map<Integer, Object> tagged = (Map<Integer, Object>) struct.get("_tagged_fields");
        assertThat(tagged).containsEntry(0, 999L).containsEntry(1, 1001L).containsEntry(2, (short) 2)
                .doesNotContainKey(3);
        Object[] partitions = struct.getArray("transaction_partitions");
        assertThat(((Struct) partitions[1]).getString("topic")).isEqualTo("payments");
    }

    @Test
    void readsAnEmptyStateKafkaWroteInVersion1WithANullPartitionList() {
        Struct struct = new Struct(VALUE_V1).set("producer_id", 55L).set("producer_epoch", (short) 3)
                .set("transaction_timeout_ms", 10_000).set("transaction_status", (byte) 0)
                .set("transaction_partitions", null).set("transaction_last_update_timestamp_ms", 9L)
                .set("transaction_start_timestamp_ms", -1L);
        Map<Integer, Object> tagged = new TreeMap<>();
        tagged.put(0, 54L);
        tagged.put(3, (short) 7);
        struct.set("_tagged_fields", tagged);
        ByteBuffer buffer = ByteBuffer.allocate(2 + VALUE_V1.sizeOf(struct));
        buffer.putShort((short) 1);
        VALUE_V1.write(buffer, struct);
        buffer.flip();
        TransactionRecord record = TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey("k")), buffer);
        assertThat(record.value()).isEqualTo(new TransactionLogValue((short) 1, 55L, 54L, -1L, (short) 3, (short) 7,
                10_000, (byte) 0, null, 9L, -1L, (short) 0));
    }

    @Test
    void unknownKeyTypesAndValueVersionsAreSkippableNotDamage() {
        ByteBuffer otherKey = ByteBuffer.allocate(2 + 2 + 1).putShort((short) 1).putShort((short) 1)
                .put((byte) 'x').flip();
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(otherKey, null))
                .isInstanceOf(UnknownTransactionRecordException.class);
        ByteBuffer futureValue = ByteBuffer.allocate(2 + 8).putShort((short) 2).putLong(1L).flip();
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey("k")), futureValue))
                .isInstanceOf(UnknownTransactionRecordException.class);
        ByteBuffer negativeVersion = ByteBuffer.allocate(2).putShort((short) -1).flip();
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey("k")), negativeVersion))
                .isInstanceOf(UnknownTransactionRecordException.class);
    }

    @Test
    void damagedValuesAreRefusedWithoutHugeAllocations() {
        byte[] whole = TransactionRecordSerde.serializeValue(ongoing((short) 1));
        ByteBuffer key = ByteBuffer.wrap(TransactionRecordSerde.serializeKey("k"));
        for (int length = 0; length < whole.length; length++) {
            ByteBuffer truncated = ByteBuffer.wrap(Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> TransactionRecordSerde.deserialize(key.duplicate(), truncated))
                    .isInstanceOf(CoordinatorRecordException.class);
        }
        // A partition count of two billion in a 30-byte value.
        ByteBuffer hugeCount = ByteBuffer.allocate(2 + 8 + 2 + 4 + 1 + 4 + 16).putShort((short) 0).putLong(1L)
                .putShort((short) 0).putInt(1000).put((byte) 1).putInt(2_000_000_000).flip();
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(key.duplicate(), hugeCount))
                .isInstanceOf(CoordinatorRecordException.class);
    }
}
