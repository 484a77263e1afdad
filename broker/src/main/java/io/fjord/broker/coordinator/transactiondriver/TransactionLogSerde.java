package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.coordinator.runtime.CoordinatorSerde;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.broker.coordinator.transaction.records.TransactionRecordSerde;
import io.fjord.broker.coordinator.transaction.records.UnknownTransactionRecordException;
import java.nio.ByteBuffer;

/**
 * The transaction coordinator's records in {@code __transaction_state} bytes, for the coordinator runtime
 * ({@link TransactionRecordSerde}: Kafka's TransactionLog key and value layouts); key types and value versions Fjord
 * does not read are skipped on load, as Kafka skips them. Stateless and thread-safe.
 */
final class TransactionLogSerde implements CoordinatorSerde<TransactionRecord> {
    static final TransactionLogSerde INSTANCE = new TransactionLogSerde();

    private TransactionLogSerde() {
    }

    @Override
    public ByteBuffer key(TransactionRecord record) {
        return ByteBuffer.wrap(TransactionRecordSerde.serializeKey(record.transactionalId()));
    }

    @Override
    public ByteBuffer value(TransactionRecord record) {
        return record.isTombstone() ? null : ByteBuffer.wrap(TransactionRecordSerde.serializeValue(record.value()));
    }

    @Override
    public TransactionRecord deserialize(ByteBuffer key, ByteBuffer value) {
        try {
            return TransactionRecordSerde.deserialize(key, value);
        } catch (UnknownTransactionRecordException skipped) {
            return null;
        }
    }
}
