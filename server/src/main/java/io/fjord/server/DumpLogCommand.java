package io.fjord.server;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchValidator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fjord dump-log}: prints the batches of segment files (Kafka's kafka-dump-log, for Fjord's layout), checking
 * each batch's frame and CRC-32C. Exits 1 if any batch is invalid. Read-only; safe on a running node's files.
 */
@Command(name = "dump-log", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = "Print and verify the batches of segment files or partition directories.")
final class DumpLogCommand implements Callable<Integer> {
    private static final long DECODED_BYTES_MAX = 256L * 1024 * 1024;
    private static final String SEGMENT_SUFFIX = ".log";

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Segment .log files or partition directories (e.g. data/demo-0).")
    List<Path> paths;

    @Option(names = "--records", description = "Also print each record's offset, timestamp, key and value.")
    boolean printRecords;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    /** Exits 0 when every batch of every path is valid, 1 otherwise (an invalid batch, or a path it cannot read). */
    @Override
    public Integer call() {
        boolean allValid = true;
        for (Path path : paths) {
            try {
                for (Path segment : segmentFiles(path)) {
                    allValid &= dump(segment);
                }
            } catch (IllegalArgumentException e) {
                err.println("fjord: dump-log: " + e.getMessage());
                allValid = false;
            } catch (IOException e) {
                err.println("fjord: dump-log: cannot read " + path + ": " + IoErrors.reason(e));
                allValid = false;
            }
        }
        return allValid ? 0 : 1;
    }

    /**
     * The segment files of a path: itself when it is a {@code .log} file, the {@code .log} files of a directory.
     *
     * @throws IllegalArgumentException with a one-line message when the path holds no segment file
     */
    private static List<Path> segmentFiles(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + ": no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            if (!path.getFileName().toString().endsWith(SEGMENT_SUFFIX)) {
                throw new IllegalArgumentException(path + " is not a segment file: only " + SEGMENT_SUFFIX
                        + " files hold record batches (index, time index and checkpoint files do not)");
            }
            return List.of(path);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(path)) {
            listing.filter(file -> file.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(path + " holds no segment (" + SEGMENT_SUFFIX
                    + ") files: is it a partition directory such as data/demo-0?");
        }
        return files;
    }

    private boolean dump(Path segment) throws IOException {
        out.println("Dumping " + segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                out.println("  file larger than 2 GiB is not a Fjord segment");
                return false;
            }
            MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            int position = 0;
            int batches = 0;
            while (position < size) {
                int batchSize;
                try {
                    batchSize = RecordBatchValidator.validateFrameAndCrc(bytes, position, (int) size - position);
                } catch (RecordBatchException e) {
                    out.println("  INVALID at position " + position + ": " + e.getMessage());
                    return false;
                }
                RecordBatch batch = new RecordBatch(bytes, position);
                out.printf("  baseOffset: %d lastOffset: %d count: %d position: %d size: %d epoch: %d"
                                + " compression: %s timestampType: %s maxTimestamp: %d producerId: %d sequence: %d"
                                + " transactional: %b control: %b crc: %d valid: true%n",
                        batch.baseOffset(), batch.lastOffset(), batch.recordCount(), position, batchSize,
                        batch.partitionLeaderEpoch(), batch.compressionType().configName(),
                        batch.timestampType().configName(), batch.maxTimestamp(), batch.producerId(),
                        batch.baseSequence(), batch.isTransactional(), batch.isControlBatch(), batch.storedCrc());
                if (printRecords) {
                    for (Record record : RecordCodec.decode(batch, DECODED_BYTES_MAX)) {
                        out.printf("    | offset: %d timestamp: %d key: %s value: %s headers: %d%n", record.offset(),
                                record.timestamp(), text(record.key()), text(record.value()), record.headers().size());
                    }
                }
                position += batchSize;
                batches++;
            }
            out.println("  " + batches + " batches, " + size + " bytes, all valid");
            return true;
        }
    }

    private static String text(java.nio.ByteBuffer buffer) {
        if (buffer == null) {
            return "null";
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
