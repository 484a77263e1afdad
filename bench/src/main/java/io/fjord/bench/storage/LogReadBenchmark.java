package io.fjord.bench.storage;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sequential reads of a pre-filled, flushed {@link PartitionLog}, as a consumer fetching from the start walks it:
 * every operation reads {@link #READ_SIZE_BYTES} (1 MiB) from the next offset, so bytes per second is score x 1 MiB
 * for every method here. The log holds {@code logSizeBytes} of uncompressed batches of exactly {@code batchSizeBytes}
 * (a power of two dividing 1 MiB), so each read is whole batches and the next offset follows from the batch geometry
 * without parsing; the walk wraps to offset 0 at the end. The data is hot in the page cache after the fill.
 *
 * <ul>
 *   <li>{@link #logTransferTo}: {@code PartitionLog.read} then {@code FileSlice.transferTo} into a discarding
 *       channel (the broker's zero-copy path; the JDK copies to a non-socket channel through an 8 KiB buffer).
 *   <li>{@link #rawTransferTo}: its baseline, {@code FileChannel.transferTo} of the same file ranges into the same
 *       channel.
 *   <li>{@link #logReadAll}: {@code PartitionLog.read} then {@code FileSlice.readAll} into a new heap buffer.
 *   <li>{@link #rawRead}: its baseline, positional {@code FileChannel.read} of the same ranges into one reused heap
 *       buffer.
 * </ul>
 *
 * <p>The log is built in trial setup and deleted in trial teardown.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class LogReadBenchmark {
    /** Bytes of one read ({@code maxBytes}), which is the bytes of one operation. */
    public static final int READ_SIZE_BYTES = 1024 * 1024;

    /** Bytes of one batch; a power of two up to 1 MiB. */
    @Param({"1024", "16384"})
    public int batchSizeBytes;

    /** Bytes the log holds; a multiple of 1 MiB. */
    @Param({"268435456"})
    public long logSizeBytes;

    private final DiscardingChannel discard = new DiscardingChannel();
    private final ByteBuffer rawReadBuffer = ByteBuffer.allocate(READ_SIZE_BYTES);
    private ScheduledExecutorService background;
    private Path directory;
    private PartitionLog log;
    private long offsetsPerRead;
    private long logEndOffset;
    private long nextOffset;
    private final List<FileChannel> segmentFiles = new ArrayList<>();
    private final List<Long> segmentFileSizesBytes = new ArrayList<>();
    private int rawFileIndex;
    private long rawPositionBytes;

    @Setup(Level.Trial)
    public void fillLog() throws IOException {
        if (Integer.bitCount(batchSizeBytes) != 1 || batchSizeBytes > READ_SIZE_BYTES
                || logSizeBytes % READ_SIZE_BYTES != 0 || logSizeBytes <= 0) {
            throw new IllegalArgumentException("batchSizeBytes must be a power of two up to 1 MiB and logSizeBytes a"
                    + " positive multiple of 1 MiB");
        }
        ByteBuffer batch = BenchmarkBatches.exactSize(batchSizeBytes, System.currentTimeMillis());
        int recordsPerBatch = RecordBatch.at(batch).recordCount();
        int batchesPerRead = READ_SIZE_BYTES / batchSizeBytes;
        offsetsPerRead = (long) batchesPerRead * recordsPerBatch;
        ByteBuffer chunk = ByteBuffer.allocateDirect(READ_SIZE_BYTES);
        for (int index = 0; index < batchesPerRead; index++) {
            chunk.put(batch.duplicate());
        }
        background = LogFactory.background();
        directory = BenchmarkDirectory.create("fjord-read-");
        log = LogFactory.open(directory.resolve("bench-0"), background);
        for (long written = 0; written < logSizeBytes; written += READ_SIZE_BYTES) {
            chunk.clear();
            log.appendAsLeader(chunk, LogFactory.LEADER_EPOCH);
        }
        log.flush();
        logEndOffset = log.logEndOffset();
        log.updateHighWatermark(logEndOffset);
        try (Stream<Path> files = Files.list(log.directory())) {
            for (Path path : files.filter(path -> path.toString().endsWith(".log")).sorted().toList()) {
                FileChannel file = FileChannel.open(path, StandardOpenOption.READ);
                if (file.size() % READ_SIZE_BYTES != 0) {
                    throw new IllegalStateException(path + " holds " + file.size() + " bytes, not whole MiBs");
                }
                segmentFiles.add(file);
                segmentFileSizesBytes.add(file.size());
            }
        }
        nextOffset = 0;
        rawFileIndex = 0;
        rawPositionBytes = 0;
    }

    private LogReadResult readNext() {
        LogReadResult result = log.read(nextOffset, READ_SIZE_BYTES, logEndOffset, true);
        if (result.firstBatchBaseOffset() != nextOffset || result.slice().sizeBytes() != READ_SIZE_BYTES) {
            result.slice().release();
            throw new IllegalStateException("read at " + nextOffset + " returned " + result.slice().sizeBytes()
                    + " bytes from offset " + result.firstBatchBaseOffset());
        }
        nextOffset += offsetsPerRead;
        if (nextOffset >= logEndOffset) {
            nextOffset = 0;
        }
        return result;
    }

    @Benchmark
    public long logTransferTo() throws IOException {
        try (FileSlice slice = readNext().slice()) {
            return slice.transferTo(discard);
        }
    }

    @Benchmark
    public ByteBuffer logReadAll() {
        try (FileSlice slice = readNext().slice()) {
            return slice.readAll();
        }
    }

    private FileChannel nextRawFile() {
        if (rawPositionBytes >= segmentFileSizesBytes.get(rawFileIndex)) {
            rawFileIndex = (rawFileIndex + 1) % segmentFiles.size();
            rawPositionBytes = 0;
        }
        return segmentFiles.get(rawFileIndex);
    }

    @Benchmark
    public long rawTransferTo() throws IOException {
        FileChannel file = nextRawFile();
        long sentBytes = 0;
        while (sentBytes < READ_SIZE_BYTES) {
            sentBytes += file.transferTo(rawPositionBytes + sentBytes, READ_SIZE_BYTES - sentBytes, discard);
        }
        rawPositionBytes += sentBytes;
        return sentBytes;
    }

    @Benchmark
    public ByteBuffer rawRead() throws IOException {
        FileChannel file = nextRawFile();
        rawReadBuffer.clear();
        while (rawReadBuffer.hasRemaining()) {
            if (file.read(rawReadBuffer, rawPositionBytes + rawReadBuffer.position()) < 0) {
                throw new IllegalStateException("unexpected end of file at " + rawPositionBytes);
            }
        }
        rawPositionBytes += READ_SIZE_BYTES;
        rawReadBuffer.flip();
        return rawReadBuffer;
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws IOException {
        for (FileChannel file : segmentFiles) {
            file.close();
        }
        segmentFiles.clear();
        segmentFileSizesBytes.clear();
        log.delete();
        BenchmarkDirectory.delete(directory);
        background.shutdownNow();
    }
}
