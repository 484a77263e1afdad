package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a shard result's records as one Kafka v2 record batch (offsets assigned by the log on append): each
 * record's key and value from the coordinator's {@link CoordinatorSerde}, a null value for a tombstone, the append
 * time as timestamp. One batch per result, so a result's records become committed together. Stateless and
 * thread-safe.
 */
final class CoordinatorBatches {
    private CoordinatorBatches() {
    }

    static <R> ByteBuffer encode(CoordinatorSerde<R> serde, List<R> records, CompressionType compression,
            long nowMs) {
        List<Record> encoded = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            R record = records.get(index);
            encoded.add(new Record(index, nowMs, serde.key(record), serde.value(record), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, compression), encoded);
    }
}
