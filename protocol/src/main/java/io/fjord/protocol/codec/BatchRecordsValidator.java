package io.fjord.protocol.codec;

import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordFraming;
import io.fjord.protocol.records.RecordVisitor;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Checks every record of a batch a producer sent, compressed or not, in one pass and without keeping the records
 * (Kafka's log validator on the produce path): uncompressed records in place, compressed ones streamed through the
 * codec into a reused per-thread chunk, each record's framing checked by {@link RecordFraming}.
 *
 * <p>Errors: a record that lies about its framing or count is INVALID_RECORD (what Kafka 4.4 answers); a payload
 * the codec cannot decompress is CORRUPT_MESSAGE (Kafka 4.4 answers UNKNOWN_SERVER_ERROR); records that decompress
 * to more than the bound are MESSAGE_TOO_LARGE, found before the oversized record is decompressed (Kafka has no
 * bound; Fjord's keeps a small compressed batch from costing unbounded CPU).
 *
 * <p>Thread-safe: each thread reuses its own decompression chunk and codec buffers.
 */
public final class BatchRecordsValidator {
    private static final ThreadLocal<StreamRecordSource> SOURCES = ThreadLocal.withInitial(StreamRecordSource::new);

    private BatchRecordsValidator() {
    }

    /**
     * Walks the batch's records, telling the visitor about each. The batch's frame and CRC must already be checked.
     *
     * @param decompressedBytesMax the most bytes a compressed batch's records may decompress to
     */
    public static void validateRecords(RecordBatch batch, long decompressedBytesMax, RecordVisitor visitor) {
        if (batch.compressionType() == CompressionType.NONE) {
            RecordBatchValidator.validateUncompressedRecords(batch, visitor);
            return;
        }
        StreamRecordSource source = SOURCES.get();
        ByteBuffer payload = batch.buffer().duplicate();
        payload.limit(batch.position() + batch.sizeInBytes()).position(batch.position() + RecordBatch.RECORDS_OFFSET);
        try (InputStream input = RecordCodec.compression(batch.compressionType()).wrapForInput(payload.slice(),
                RecordBatch.MAGIC_V2, source.bufferSupplier())) {
            source.reset(input, decompressedBytesMax);
            RecordFraming.validate(source, batch.recordCount(), visitor);
        } catch (RecordBatchException e) {
            throw e;
        } catch (VirtualMachineError | LinkageError e) {
            throw e; // out of memory or a codec that failed to load: not the batch's fault
        } catch (Exception | Error e) {
            // The codec's IOExceptions and runtime exceptions (lz4, zstd), snappy-java's SnappyError: the payload is
            // not what its compression type says.
            RecordBatchException corrupt = new RecordBatchException(Kind.CORRUPT_MESSAGE,
                    "the batch's " + batch.compressionType() + " payload cannot be decompressed: " + e);
            corrupt.initCause(e);
            throw corrupt;
        } finally {
            source.reset(null, 0);
        }
    }
}
