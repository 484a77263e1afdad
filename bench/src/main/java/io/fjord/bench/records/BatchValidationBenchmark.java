package io.fjord.bench.records;

import io.fjord.protocol.codec.BatchRecordsValidator;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordVisitor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the produce path's record checks cost per batch: a producer's typical batch of {@code recordCount} records of
 * {@code valueBytes} (about 16 KiB before compression), built by Kafka's writer with text-like values.
 *
 * <ul>
 *   <li>{@link #validateRecords}: {@code BatchRecordsValidator.validateRecords}, the walk added for issue #10 (in
 *       place for uncompressed batches, streamed through the per-thread chunk for compressed ones).
 *   <li>{@link #frameAndCrc}: the frame and CRC-32C check every batch already paid, for scale.
 *   <li>{@link #decodeRecords}: {@code RecordCodec.decode}, materialising every record as Kafka's reader does, the
 *       cost the walk avoids.
 * </ul>
 *
 * Scores are batches per second; bytes per second of uncompressed records are score x recordCount x (valueBytes +
 * about 10). One thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class BatchValidationBenchmark {
    private static final long DECOMPRESSED_BYTES_MAX = 256L * 1024 * 1024;

    @Param({"NONE", "LZ4", "ZSTD"})
    public String compression;

    @Param({"150"})
    public int recordCount;

    @Param({"100"})
    public int valueBytes;

    private RecordBatch batch;
    private ByteBuffer buffer;

    @Setup
    public void build() {
        Random random = new Random(20261205L);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ,.:;-_=+ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        List<Record> records = new ArrayList<>(recordCount);
        long timestamp = 1_700_000_000_000L;
        for (int index = 0; index < recordCount; index++) {
            byte[] value = new byte[valueBytes];
            for (int position = 0; position < value.length; position++) {
                value[position] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            records.add(new Record(index, timestamp + index, null, ByteBuffer.wrap(value), List.of()));
        }
        buffer = RecordCodec.encode(BatchSpec.plain(0, CompressionType.valueOf(compression)), records);
        batch = RecordBatch.at(buffer);
    }

    @Benchmark
    public RecordBatch validateRecords() {
        BatchRecordsValidator.validateRecords(batch, DECOMPRESSED_BYTES_MAX, RecordVisitor.NONE);
        return batch;
    }

    @Benchmark
    public int frameAndCrc() {
        return RecordBatchValidator.validateFrameAndCrc(buffer, buffer.position(), buffer.remaining());
    }

    @Benchmark
    public List<Record> decodeRecords() {
        return RecordCodec.decode(batch, DECOMPRESSED_BYTES_MAX);
    }
}
