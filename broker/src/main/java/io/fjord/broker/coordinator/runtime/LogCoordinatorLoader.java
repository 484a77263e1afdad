package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a coordinator partition's log, {@code bufferSizeBytes} at a time (the {@code offsets.load.buffer.size} of
 * the group coordinator), and decodes every record through the coordinator's {@link CoordinatorSerde}. A
 * transactional batch is handed over as its producer's (pending until the producer's marker), a transaction marker
 * as the end of that producer's transaction, other control batches not at all; records past the last stable offset
 * simply stay pending, as in Kafka's loader. Keyless records and records the serde does not read are skipped, as
 * Kafka skips them. Stateless and thread-safe.
 *
 * @param <R> the coordinator's record type
 */
public final class LogCoordinatorLoader<R> implements CoordinatorLoader<R> {
    /** A bound on one batch's decoded records, so a damaged or hostile batch cannot exhaust memory. */
    private static final long DECODED_BATCH_BYTES_MAX = 256L * 1024 * 1024;

    private final CoordinatorSerde<R> serde;

    public LogCoordinatorLoader(CoordinatorSerde<R> serde) {
        this.serde = serde;
    }

    @Override
    public Loaded load(PartitionLog log, int bufferSizeBytes, Sink<R> sink) {
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
                if (batch.isControlBatch()) {
                    Optional<TransactionMarker> marker = TransactionMarker.of(batch);
                    if (marker.isPresent()) {
                        sink.batch(CoordinatorBatch.endTransaction(batch.producerId(), batch.producerEpoch(),
                                marker.get().commit()), next);
                    }
                    continue;
                }
                List<R> records = new ArrayList<>();
                for (Record record : RecordCodec.decode(batch, DECODED_BATCH_BYTES_MAX)) {
                    if (record.key() == null) {
                        continue;
                    }
                    R decoded = serde.deserialize(record.key(), record.value());
                    if (decoded != null) {
                        records.add(decoded);
                    }
                }
                replayed += records.size();
                sink.batch(batch.isTransactional()
                        ? CoordinatorBatch.transactional(records, batch.producerId(), batch.producerEpoch())
                        : CoordinatorBatch.plain(records), next);
            }
            if (next <= offset) {
                break; // nothing whole was read: the end moved under us (cannot happen while this node leads)
            }
            offset = next;
        }
        return new Loaded(replayed, offset);
    }
}
