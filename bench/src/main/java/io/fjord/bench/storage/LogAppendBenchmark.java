package io.fjord.bench.storage;

import io.fjord.storage.AppendResult;
import io.fjord.storage.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
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
 * Leader appends to a {@link PartitionLog}: one pre-built uncompressed batch of exactly {@code batchSizeBytes} per
 * operation, so the primary score is batches per second and bytes per second is score x {@code batchSizeBytes}.
 *
 * <p>Each append does the full leader path: frame, magic and CRC-32C check, record framing walk, offset and leader
 * epoch assignment in place (outside the CRC, so the reused buffer stays valid), the positional file write and the
 * index entries. Kafka's default config: 1 GiB segments that roll naturally, no fsync per append. Compare with
 * {@link RawFileWriteBenchmark}, which writes the same bytes with a bare {@code FileChannel}.
 *
 * <p>The log is deleted (without fsync) and opened empty around every iteration, so disk use is bounded by what one
 * iteration writes; the batch is built once per trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class LogAppendBenchmark {
    /** Bytes of one batch, which is the bytes of one operation. */
    @Param({"1024", "16384"})
    public int batchSizeBytes;

    private ByteBuffer batch;
    private ScheduledExecutorService background;
    private Path directory;
    private PartitionLog log;

    @Setup(Level.Trial)
    public void buildBatch() {
        batch = BenchmarkBatches.direct(BenchmarkBatches.exactSize(batchSizeBytes, System.currentTimeMillis()));
        background = LogFactory.background();
    }

    @Setup(Level.Iteration)
    public void openEmptyLog() {
        directory = BenchmarkDirectory.create("fjord-append-");
        log = LogFactory.open(directory.resolve("bench-0"), background);
    }

    @Benchmark
    public AppendResult append() {
        batch.clear();
        return log.appendAsLeader(batch, LogFactory.LEADER_EPOCH);
    }

    @TearDown(Level.Iteration)
    public void deleteLog() {
        log.delete();
        BenchmarkDirectory.delete(directory);
    }

    @TearDown(Level.Trial)
    public void stopBackground() {
        background.shutdownNow();
    }
}
