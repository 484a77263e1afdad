package io.fjord.broker.coordinator.transaction.records;

import io.fjord.broker.coordinator.group.records.CoordinatorRecordException;
import io.fjord.broker.coordinator.group.records.RecordReader;
import io.fjord.broker.coordinator.group.records.RecordWriter;
import java.nio.ByteBuffer;

/**
 * Kafka's byte layout of {@code __transaction_state} records, so Kafka's tools read what Fjord writes and Fjord
 * loads what Kafka wrote: the key is the record type (int16, 0 for {@code TransactionLogKey}) and the transactional
 * id as a classic string; the value is the value version (int16) and the fields of that version; a tombstone (an
 * expired transactional id) has no value.
 *
 * <p>Stateless and thread-safe.
 */
public final class TransactionRecordSerde {
    /** The record type of {@code TransactionLogKey}, the only key type of the topic. */
    public static final short TRANSACTION_LOG_KEY_TYPE = 0;

    private TransactionRecordSerde() {
    }

    public static byte[] serializeKey(String transactionalId) {
        RecordWriter writer = new RecordWriter();
        writer.int16(TRANSACTION_LOG_KEY_TYPE);
        writer.string(transactionalId);
        return writer.toByteArray();
    }

    /** The value's bytes, or null for a tombstone. */
    public static byte[] serializeValue(TransactionLogValue value) {
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
     * @throws UnknownTransactionRecordException for a key type or value version Fjord does not read (the caller
     *         skips the record, as Kafka does)
     * @throws CoordinatorRecordException for damaged bytes
     */
    public static TransactionRecord deserialize(ByteBuffer key, ByteBuffer value) {
        RecordReader keyReader = new RecordReader(key);
        short type = keyReader.int16();
        if (type != TRANSACTION_LOG_KEY_TYPE) {
            throw new UnknownTransactionRecordException("unknown __transaction_state key type " + type);
        }
        String transactionalId = keyReader.string();
        if (transactionalId == null) {
            throw new CoordinatorRecordException("null transactional id in a TransactionLogKey");
        }
        if (value == null) {
            return TransactionRecord.tombstone(transactionalId);
        }
        RecordReader valueReader = new RecordReader(value);
        short version = valueReader.int16();
        return new TransactionRecord(transactionalId, TransactionLogValue.read(valueReader, version));
    }
}
