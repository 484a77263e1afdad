package io.fjord.protocol.codec;

import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordHeader;
import io.fjord.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Decodes and encodes the records inside v2 batches with kafka-clients' record classes and compression codecs;
 * nothing outside this package sees those classes.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    /**
     * The records of one batch, decompressed. Stops with {@link Kind#CORRUPT_MESSAGE} once the records add up to more
     * than {@code decodedBytesMax} bytes, so a small compressed batch cannot expand without bound: a record whose
     * stated size alone exceeds the bound is refused before its bytes are allocated, so at most about twice the bound
     * is ever held. Malformed bytes anywhere in the batch raise {@link RecordBatchException} with
     * {@link Kind#CORRUPT_MESSAGE}, never another exception.
     */
    public static List<Record> decode(RecordBatch batch, long decodedBytesMax) {
        try {
            return decodeRecords(batch, decodedBytesMax);
        } catch (RecordBatchException e) {
            throw e;
        } catch (RuntimeException e) {
            // Bytes from the network or a damaged disk: whatever the header parsing or a codec trips over
            // (KafkaException, IndexOutOfBoundsException, NoSuchElementException, lz4's and zstd's runtime
            // exceptions, ...) means the batch is corrupt.
            throw corrupt(e);
        } catch (VirtualMachineError | LinkageError e) {
            throw e; // out of memory or a codec that failed to load: not the batch's fault
        } catch (Error e) {
            // snappy-java reports malformed input with SnappyError, an Error.
            throw corrupt(e);
        }
    }

    private static RecordBatchException corrupt(Throwable cause) {
        RecordBatchException corrupt = new RecordBatchException(Kind.CORRUPT_MESSAGE,
                "batch records cannot be decoded: " + cause);
        corrupt.initCause(cause);
        return corrupt;
    }

    private static List<Record> decodeRecords(RecordBatch batch, long decodedBytesMax) {
        org.apache.kafka.common.record.internal.RecordBatch kafkaBatch =
                MemoryRecords.readableRecords(batch.slice()).batches().iterator().next();
        List<Record> records = new ArrayList<>(Math.max(0, Math.min(batch.recordCount(), 4096)));
        long decodedBytes = 0;
        try (CloseableIterator<org.apache.kafka.common.record.internal.Record> iterator =
                     kafkaBatch.streamingIterator(BufferSupplier.NO_CACHING, recordBodyBytesMax(decodedBytesMax))) {
            while (iterator.hasNext()) {
                org.apache.kafka.common.record.internal.Record kafkaRecord = iterator.next();
                decodedBytes += kafkaRecord.sizeInBytes();
                if (decodedBytes > decodedBytesMax) {
                    throw new RecordBatchException(Kind.CORRUPT_MESSAGE,
                            "batch decodes to more than " + decodedBytesMax + " bytes");
                }
                records.add(toRecord(kafkaRecord));
            }
        }
        return records;
    }

    /** The largest record body a decompressing iterator may allocate: the whole decode bound, as an int. */
    private static int recordBodyBytesMax(long decodedBytesMax) {
        return (int) Math.max(0, Math.min(decodedBytesMax, Integer.MAX_VALUE - 8));
    }

    private static Record toRecord(org.apache.kafka.common.record.internal.Record kafkaRecord) {
        Header[] kafkaHeaders = kafkaRecord.headers();
        List<RecordHeader> headers = new ArrayList<>(kafkaHeaders.length);
        for (Header header : kafkaHeaders) {
            headers.add(new RecordHeader(header.key(), header.value()));
        }
        return new Record(kafkaRecord.offset(), kafkaRecord.timestamp(),
                kafkaRecord.hasKey() ? kafkaRecord.key() : null,
                kafkaRecord.hasValue() ? kafkaRecord.value() : null, headers);
    }

    /**
     * Encodes records into one v2 batch with the given batch fields. Record offsets are absolute, ascending and not
     * below the spec's base offset; gaps are allowed (compaction leaves them).
     */
    public static ByteBuffer encode(BatchSpec spec, List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one record");
        }
        int estimate = RecordBatch.HEADER_SIZE_BYTES;
        for (Record record : records) {
            estimate += 32 + remaining(record.key()) + remaining(record.value());
        }
        ByteBufferOutputStream output = new ByteBufferOutputStream(estimate);
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(output, RecordBatch.MAGIC_V2,
                compression(spec.compression()), timestampType(spec.timestampType()), spec.baseOffset(),
                spec.logAppendTimeMs(), spec.producerId(), spec.producerEpoch(), spec.baseSequence(),
                spec.transactional(), spec.control(), spec.partitionLeaderEpoch(), Integer.MAX_VALUE,
                spec.deleteHorizonMs());
        for (Record record : records) {
            Header[] headers = new Header[record.headers().size()];
            for (int index = 0; index < headers.length; index++) {
                RecordHeader header = record.headers().get(index);
                headers[index] = new org.apache.kafka.common.header.internals.RecordHeader(header.key(), header.value());
            }
            ByteBuffer key = record.key() == null ? null : record.key().duplicate();
            ByteBuffer value = record.value() == null ? null : record.value().duplicate();
            if (spec.control()) {
                builder.appendControlRecordWithOffset(record.offset(),
                        new org.apache.kafka.common.record.internal.SimpleRecord(record.timestamp(), key, value, headers));
            } else {
                builder.appendWithOffset(record.offset(), record.timestamp(), key, value, headers);
            }
        }
        ByteBuffer built = builder.build().buffer();
        return built.duplicate();
    }

    private static int remaining(ByteBuffer buffer) {
        return buffer == null ? 0 : buffer.remaining();
    }

    static Compression compression(CompressionType type) {
        return switch (type) {
            case NONE -> Compression.NONE;
            case GZIP -> Compression.gzip().build();
            case SNAPPY -> Compression.snappy().build();
            case LZ4 -> Compression.lz4().build();
            case ZSTD -> Compression.zstd().build();
        };
    }

    static org.apache.kafka.common.record.TimestampType timestampType(TimestampType type) {
        return type == TimestampType.CREATE_TIME ? org.apache.kafka.common.record.TimestampType.CREATE_TIME
                : org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME;
    }
}
