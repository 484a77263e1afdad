package io.fjord.protocol.records;

import io.fjord.protocol.records.RecordBatchException.Kind;
import java.nio.ByteBuffer;

/**
 * Structural checks of v2 record batches, done without decompressing: the frame, magic, CRC-32C, the record count
 * against the offset range, and, for uncompressed batches, every record's framing ({@link RecordFraming}). The
 * records of compressed batches are checked by {@code io.fjord.protocol.codec.BatchRecordsValidator}.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordBatchValidator {
    private RecordBatchValidator() {
    }

    /**
     * Checks the frame and CRC of the batch at {@code position}, with {@code available} bytes of the buffer from
     * there on. Returns the batch's size.
     */
    public static int validateFrameAndCrc(ByteBuffer buffer, int position, int available) {
        if (available < RecordBatch.HEADER_SIZE_BYTES) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE,
                    "batch header needs " + RecordBatch.HEADER_SIZE_BYTES + " bytes, " + available + " left");
        }
        RecordBatch batch = new RecordBatch(buffer, position);
        int length = batch.batchLength();
        if (length < RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "batch length " + length + " is below the header size");
        }
        if (length > available - RecordBatch.LOG_OVERHEAD_BYTES) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE,
                    "batch length " + length + " exceeds the " + available + " bytes left");
        }
        byte magic = batch.magic();
        if (magic != RecordBatch.MAGIC_V2) {
            throw new RecordBatchException(magic < RecordBatch.MAGIC_V2 && magic >= 0
                    ? Kind.UNSUPPORTED_FOR_MESSAGE_FORMAT : Kind.CORRUPT_MESSAGE, "batch magic " + magic + " is not 2");
        }
        if (!batch.isCrcValid()) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "batch CRC " + batch.storedCrc()
                    + " does not match the computed " + batch.computeCrc());
        }
        return batch.sizeInBytes();
    }

    /**
     * All checks of a batch a producer sent: frame, CRC, compression id, record count matching the offset range,
     * no control batch, a sequence number whenever there is a producer id, and for uncompressed batches the record
     * framing.
     */
    public static void validateProducerBatch(RecordBatch batch) {
        validateProducerBatchHeader(batch);
        if (batch.compressionType() == CompressionType.NONE) {
            validateUncompressedRecords(batch, RecordVisitor.NONE);
        }
    }

    /**
     * The header checks of a batch a producer sent: compression id, record count matching the offset range, no
     * control batch, a sequence number whenever there is a producer id.
     */
    public static void validateProducerBatchHeader(RecordBatch batch) {
        int attributeCompression = batch.attributes() & 0x07;
        if (attributeCompression > CompressionType.ZSTD.id()) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "unknown compression id " + attributeCompression);
        }
        int count = batch.recordCount();
        int lastOffsetDelta = batch.lastOffsetDelta();
        if (count <= 0) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "record count " + count + " is not positive");
        }
        if (lastOffsetDelta < 0 || (long) lastOffsetDelta + 1 != count) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "record count " + count
                    + " does not match last offset delta " + lastOffsetDelta);
        }
        if (batch.isControlBatch()) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "clients may not send control batches");
        }
        if (batch.producerId() >= 0 && batch.baseSequence() < 0) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "invalid sequence number " + batch.baseSequence()
                    + " in a batch with producer id " + batch.producerId());
        }
    }

    /**
     * Walks the records of an uncompressed batch in place ({@link RecordFraming}: each record's framing, offset
     * deltas 0, 1, 2, ..., exactly the counted records), telling the visitor about each.
     */
    public static void validateUncompressedRecords(RecordBatch batch, RecordVisitor visitor) {
        int start = batch.position() + RecordBatch.RECORDS_OFFSET;
        RecordFraming.validate(new BufferRecordSource(batch.buffer(), start, batch.position() + batch.sizeInBytes()),
                batch.recordCount(), visitor);
    }
}
