package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.CoordinatorRecordSerde;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a coordinator result's records as one Kafka v2 record batch (offsets assigned by the log on append): each
 * record's key and value in {@code __consumer_offsets} bytes, a null value for a tombstone, the append time as
 * timestamp. One batch per result, so a result's records become durable together. Stateless and thread-safe.
 */
final class CoordinatorBatches {
    private CoordinatorBatches() {
    }

    static ByteBuffer encode(List<CoordinatorRecord> records, CompressionType compression, long nowMs) {
        List<Record> encoded = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            CoordinatorRecord record = records.get(index);
            ByteBuffer key = ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key()));
            ByteBuffer value = record.isTombstone() ? null
                    : ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(record.value()));
            encoded.add(new Record(index, nowMs, key, value, List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, compression), encoded);
    }
}
