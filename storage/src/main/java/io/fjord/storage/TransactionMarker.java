package io.fjord.storage;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.TimestampType;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * A transaction marker: the control record that ends a producer's transaction in a partition (KIP-98). On disk it is
 * a control batch (attributes transactional and control, the producer's id and epoch, base sequence -1) holding one
 * record whose key is {@code int16 version (0), int16 type (0 ABORT, 1 COMMIT)} and whose value is
 * {@code int16 version (0), int32 coordinator epoch}, Kafka's {@code EndTransactionMarker} layout. Immutable and
 * thread-safe.
 *
 * @param commit           true for COMMIT, false for ABORT
 * @param coordinatorEpoch epoch of the transaction coordinator that wrote it
 */
public record TransactionMarker(boolean commit, int coordinatorEpoch) {
    /** Control record types, Kafka's {@code ControlRecordType} ids. */
    public static final short ABORT_TYPE = 0;
    public static final short COMMIT_TYPE = 1;
    private static final short CURRENT_VERSION = 0;
    private static final int KEY_BYTES = 4;
    private static final int VALUE_BYTES = 6;
    /** A marker batch is one small record; anything larger is not a marker this broker wrote or can trust. */
    private static final long DECODED_BYTES_MAX = 64 * 1024;

    /** The control batch for this marker (base offset 0, to be assigned by the leader's append). */
    public ByteBuffer toBatch(long producerId, short producerEpoch, long timestampMs) {
        ByteBuffer key = ByteBuffer.allocate(KEY_BYTES).putShort(CURRENT_VERSION)
                .putShort(commit ? COMMIT_TYPE : ABORT_TYPE).flip();
        ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES).putShort(CURRENT_VERSION).putInt(coordinatorEpoch).flip();
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, producerEpoch, RecordBatch.NO_SEQUENCE, true, true,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP);
        return RecordCodec.encode(spec, List.of(new Record(0, timestampMs, key, value, List.of())));
    }

    /**
     * The marker a control batch holds. As Kafka, a control batch with another record type (or none) is no marker:
     * empty result.
     *
     * @throws RecordBatchException CORRUPT_MESSAGE when the batch's record cannot be read as a control record
     */
    public static Optional<TransactionMarker> of(RecordBatch batch) {
        if (!batch.isControlBatch()) {
            throw new IllegalArgumentException("not a control batch: " + batch);
        }
        List<Record> records = RecordCodec.decode(batch, DECODED_BYTES_MAX);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        Record record = records.get(0);
        try {
            ByteBuffer key = record.key().duplicate();
            key.getShort(); // version: Kafka reads later versions by the fields it knows
            short type = key.getShort();
            if (type != ABORT_TYPE && type != COMMIT_TYPE) {
                return Optional.empty();
            }
            ByteBuffer value = record.value().duplicate();
            value.getShort();
            return Optional.of(new TransactionMarker(type == COMMIT_TYPE, value.getInt()));
        } catch (BufferUnderflowException | NullPointerException e) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "control batch at offset " + batch.baseOffset()
                    + " holds no valid transaction marker record");
        }
    }
}
