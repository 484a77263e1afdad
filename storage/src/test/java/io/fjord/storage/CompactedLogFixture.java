package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/** Opens compacted logs, writes keyed batches and reads them back for the cleaner tests. */
final class CompactedLogFixture {
    /** A record read back: offset, key, value (null for a tombstone), and its batch's delete horizon. */
    record KeyedRecord(long offset, String key, String value, long deleteHorizonMs) {
    }

    private CompactedLogFixture() {
    }

    static LogConfig compactConfig() {
        return LogConfig.defaults().with(Map.of(LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_INDEX_BYTES, "4096", LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.5"));
    }

    static PartitionLog open(Path directory, LogConfig config, ManualClock clock, ScheduledExecutorService background,
                             boolean cleanShutdown, long recoveryPoint) {
        return PartitionLog.open(directory, config, recoveryPoint, 0, cleanShutdown, clock,
                SegmentHandleCache.unbounded(), background);
    }

    /**
     * One batch of keyed records; {@code keyValues} alternates keys and values, a null value makes a tombstone.
     */
    static ByteBuffer batch(long timestamp, CompressionType compression, String... keyValues) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < keyValues.length; index += 2) {
            String value = keyValues[index + 1];
            records.add(new Record(index / 2, timestamp, TestBatches.utf8(keyValues[index]),
                    value == null ? null : TestBatches.utf8(value), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, compression), records);
    }

    static AppendResult append(PartitionLog log, long timestamp, String... keyValues) {
        return log.appendAsLeader(batch(timestamp, CompressionType.NONE, keyValues), 0);
    }

    /** Makes everything appended committed, so the cleaner may work up to the active segment. */
    static void commitAll(PartitionLog log) {
        log.updateHighWatermark(log.logEndOffset());
    }

    /**
     * Every record from the log start, checking on the way that every batch has a valid CRC and that offsets grow.
     */
    static List<KeyedRecord> readAll(PartitionLog log) {
        return readAll(log, false);
    }

    /**
     * Reads like a consumer that may race with the cleaner: a read from offset N returns the batch holding N, which a
     * clean may have just merged with earlier offsets, so batches may start below offsets already read; records below
     * the position are skipped, as a consumer skips them. Batch CRCs and growth of last offsets are still checked.
     */
    static List<KeyedRecord> readAllConcurrently(PartitionLog log) {
        return readAll(log, true);
    }

    private static List<KeyedRecord> readAll(PartitionLog log, boolean concurrent) {
        ByteBuffer bytes = log.readAllFrom(log.logStartOffset());
        List<KeyedRecord> records = new ArrayList<>();
        long previousBatchLast = -1;
        long previousOffset = -1;
        for (RecordBatch batch : RecordBatches.of(bytes)) {
            assertThat(batch.isCrcValid()).as("CRC of %s", batch).isTrue();
            assertThat(concurrent ? batch.lastOffset() : batch.baseOffset())
                    .as("batch %s follows offset %d", batch, previousBatchLast).isGreaterThan(previousBatchLast);
            previousBatchLast = batch.lastOffset();
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                if (concurrent && record.offset() <= previousOffset) {
                    continue;
                }
                assertThat(record.offset()).isGreaterThan(previousOffset).isBetween(batch.baseOffset(),
                        batch.lastOffset());
                previousOffset = record.offset();
                records.add(new KeyedRecord(record.offset(), record.key() == null ? null : TestBatches.string(record.key()),
                        record.value() == null ? null : TestBatches.string(record.value()), batch.deleteHorizonMs()));
            }
        }
        return records;
    }

    /** The latest value per key, in the order keys were last written; tombstones map to null. */
    static Map<String, String> latest(List<KeyedRecord> records) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (KeyedRecord record : records) {
            latest.remove(record.key());
            latest.put(record.key(), record.value());
        }
        return latest;
    }

    /** The latest values without tombstones. */
    static Map<String, String> live(Map<String, String> latest) {
        Map<String, String> live = new LinkedHashMap<>();
        latest.forEach((key, value) -> {
            if (value != null) {
                live.put(key, value);
            }
        });
        return live;
    }

    static List<String> keys(List<KeyedRecord> records) {
        return records.stream().map(KeyedRecord::key).toList();
    }

    static List<String> fileNames(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the regular files of {@code source} into a new directory {@code target}. */
    static void copyDirectory(Path source, Path target) {
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.toList()) {
                    if (Files.isRegularFile(file)) {
                        Files.copy(file, target.resolve(file.getFileName()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
