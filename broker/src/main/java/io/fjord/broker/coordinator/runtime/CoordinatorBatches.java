package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
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
        return RecordCodec.encode(BatchSpec.plain(0, compression), encodeRecords(serde, records, nowMs));
    }

    /**
     * A producer's transactional batch (a group coordinator's TxnOffsetCommit), as Kafka's coordinator writes it:
     * the producer id and epoch in the header, base sequence 0 (the coordinator origin's append checks only the
     * epoch).
     */
    static <R> ByteBuffer encodeTransactional(CoordinatorSerde<R> serde, List<R> records,
            CompressionType compression, long producerId, short producerEpoch, long nowMs) {
        BatchSpec spec = new BatchSpec(0, compression, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, producerEpoch, 0, true, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        return RecordCodec.encode(spec, encodeRecords(serde, records, nowMs));
    }

    private static <R> List<Record> encodeRecords(CoordinatorSerde<R> serde, List<R> records, long nowMs) {
        List<Record> encoded = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            R record = records.get(index);
            encoded.add(new Record(index, nowMs, serde.key(record), serde.value(record), List.of()));
        }
        return encoded;
    }
}
