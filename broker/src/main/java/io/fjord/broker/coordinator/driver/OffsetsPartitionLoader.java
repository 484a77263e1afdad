package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.GroupCoordinatorShard;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.PartitionLog;
import java.nio.ByteBuffer;

/**
 * Rebuilds a shard from its {@code __consumer_offsets} partition: reads the log from its start to the end it had when
 * loading began, {@code offsets.load.buffer.size} bytes at a time, and replays every record's key and value. Control
 * batches carry no coordinator records; transactional batches are skipped too, since Fjord has no transactional
 * offset commits (nothing writes them, and an aborted one must never be applied). Stateless and thread-safe; the
 * shard it fills belongs to the calling thread until it is handed over.
 */
final class OffsetsPartitionLoader {
    /** A bound on one batch's decoded records, so a damaged or hostile batch cannot exhaust memory. */
    private static final long DECODED_BATCH_BYTES_MAX = 256L * 1024 * 1024;

    private OffsetsPartitionLoader() {
    }

    /**
     * What a load replayed: the number of records, and the offset it read up to (the shard's state holds every
     * record before it, committed or not; the driver answers from it once the high watermark reaches it).
     */
    record Loaded(long records, long endOffset) {
    }

    /** Replays the log into the shard, from its start to its end when the load began. */
    static Loaded load(PartitionLog log, GroupCoordinatorShard shard, int bufferSizeBytes) {
        long endOffset = log.logEndOffset();
        long offset = log.logStartOffset();
        long replayed = 0;
        while (offset < endOffset) {
            LogReadResult read = log.read(offset, bufferSizeBytes, endOffset, true);
            ByteBuffer bytes;
            try (FileSlice slice = read.slice()) {
                if (slice.isEmpty()) {
                    break;
                }
                bytes = slice.readAll();
            }
            long next = offset;
            for (RecordBatch batch : RecordBatches.of(bytes)) {
                next = batch.nextOffset();
                if (batch.isControlBatch() || batch.isTransactional()) {
                    continue;
                }
                for (Record record : RecordCodec.decode(batch, DECODED_BATCH_BYTES_MAX)) {
                    if (record.key() == null) {
                        continue; // not a coordinator record: Kafka skips keyless records too
                    }
                    shard.replay(record.key(), record.value());
                    replayed++;
                }
            }
            if (next <= offset) {
                break; // nothing whole was read: the end moved under us (cannot happen while this node leads)
            }
            offset = next;
        }
        return new Loaded(replayed, offset);
    }
}
