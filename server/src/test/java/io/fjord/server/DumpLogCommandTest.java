package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpLogCommandTest {
    @TempDir
    Path root;

    private Path writeLog() {
        Path directory = root.resolve("payments-3");
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
        try {
            PartitionLog log = PartitionLog.open(directory, LogConfig.defaults(), 0, 0, true,
                    InstantSource.system(), SegmentHandleCache.unbounded(), background);
            for (int index = 0; index < 3; index++) {
                Record record = new Record(0, 1000 + index, ByteBuffer.wrap(("key" + index).getBytes(StandardCharsets.UTF_8)),
                        ByteBuffer.wrap(("value" + index).getBytes(StandardCharsets.UTF_8)), List.of());
                log.appendAsLeader(RecordCodec.encode(BatchSpec.plain(0, CompressionType.GZIP), List.of(record)), 0);
            }
            log.close();
        } finally {
            background.shutdownNow();
        }
        return directory;
    }

    private record Outcome(int exitCode, String output) {
    }

    private static Outcome run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exitCode = FjordCli.run(args);
            return new Outcome(exitCode, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void printsBatchesAndRecordsOfAValidLog() {
        Path directory = writeLog();
        Outcome outcome = run("dump-log", "--records", directory.toString());
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.output()).contains("baseOffset: 0 lastOffset: 0", "baseOffset: 2 lastOffset: 2",
                "compression: gzip", "key: key1 value: value1", "3 batches");
    }

    @Test
    void reportsACorruptBatchWithItsPositionAndFails() throws Exception {
        Path directory = writeLog();
        Path segment = directory.resolve("00000000000000000000.log");
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            long position = file.length() - 3;
            file.seek(position);
            int original = file.read();
            file.seek(position);
            file.write(original ^ 0xff);
        }
        Outcome outcome = run("dump-log", segment.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.output()).contains("INVALID at position").contains("CRC");
    }

    @Test
    void versionNamesTheProtocolLevel() {
        Outcome outcome = run("version");
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.output()).startsWith("Fjord ").contains("kafka-clients 4.4.0");
    }

    @Test
    void aMissingPathIsOneLineNotAStackTrace() {
        Path missing = root.resolve("no-such-partition-0");
        CommandRun run = CommandRun.of("dump-log", missing.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("fjord: dump-log: " + missing + ": no such file or directory"
                + System.lineSeparator());
    }

    @Test
    void anIndexFileIsRefusedRatherThanReportedAsZeroValidBatches() {
        Path index = writeLog().resolve("00000000000000000000.index");
        assertThat(index).exists();
        CommandRun run = CommandRun.of("dump-log", index.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("all valid");
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).contains(index.toString(), "not a segment file");
    }

    @Test
    void aDirectoryWithoutSegmentsIsReported() throws Exception {
        Path empty = java.nio.file.Files.createDirectory(root.resolve("empty"));
        CommandRun run = CommandRun.of("dump-log", empty.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(empty.toString(), "no segment");
    }
}
