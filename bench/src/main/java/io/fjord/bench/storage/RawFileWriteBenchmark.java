package io.fjord.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
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
 * The baseline for {@link LogAppendBenchmark}: the same batch bytes, from the same direct buffer, written
 * sequentially with positional {@code FileChannel.write} to a plain file in the same kind of directory, opened as a
 * segment file is, rolling to a new file at the same 1 GiB, never fsynced. One operation writes one batch of
 * {@code batchSizeBytes}; bytes per second is score x {@code batchSizeBytes}.
 *
 * <p>Files are deleted around every iteration, as the log benchmark does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class RawFileWriteBenchmark {
    /** Bytes of one write, which is the bytes of one operation. */
    @Param({"1024", "16384"})
    public int batchSizeBytes;

    private ByteBuffer batch;
    private Path directory;
    private FileChannel file;
    private long filePositionBytes;
    private int fileNumber;

    @Setup(Level.Trial)
    public void buildBatch() {
        batch = BenchmarkBatches.direct(BenchmarkBatches.exactSize(batchSizeBytes, System.currentTimeMillis()));
    }

    @Setup(Level.Iteration)
    public void openFirstFile() throws IOException {
        directory = BenchmarkDirectory.create("fjord-raw-write-");
        fileNumber = 0;
        openNextFile();
    }

    private void openNextFile() throws IOException {
        file = FileChannel.open(directory.resolve(String.format("%020d.log", fileNumber++)), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        filePositionBytes = 0;
    }

    @Benchmark
    public long write() throws IOException {
        if (filePositionBytes + batchSizeBytes > LogFactory.SEGMENT_BYTES) {
            file.close();
            openNextFile();
        }
        batch.clear();
        while (batch.hasRemaining()) {
            filePositionBytes += file.write(batch, filePositionBytes);
        }
        return filePositionBytes;
    }

    @TearDown(Level.Iteration)
    public void deleteFiles() throws IOException {
        file.close();
        BenchmarkDirectory.delete(directory);
    }
}
