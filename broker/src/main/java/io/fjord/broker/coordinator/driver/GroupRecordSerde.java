package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.CoordinatorRecordSerde;
import io.fjord.broker.coordinator.group.records.UnknownRecordTypeException;
import io.fjord.broker.coordinator.runtime.CoordinatorSerde;
import java.nio.ByteBuffer;

/**
 * The group coordinator's records in {@code __consumer_offsets} bytes, for the coordinator runtime
 * ({@link CoordinatorRecordSerde}); record types Fjord does not read (share and streams groups) are skipped on load,
 * as Kafka skips unknown types. Stateless and thread-safe.
 */
final class GroupRecordSerde implements CoordinatorSerde<CoordinatorRecord> {
    static final GroupRecordSerde INSTANCE = new GroupRecordSerde();

    private GroupRecordSerde() {
    }

    @Override
    public ByteBuffer key(CoordinatorRecord record) {
        return ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key()));
    }

    @Override
    public ByteBuffer value(CoordinatorRecord record) {
        return record.isTombstone() ? null : ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(record.value()));
    }

    @Override
    public CoordinatorRecord deserialize(ByteBuffer key, ByteBuffer value) {
        try {
            return CoordinatorRecordSerde.deserialize(key, value);
        } catch (UnknownRecordTypeException skipped) {
            return null;
        }
    }
}
