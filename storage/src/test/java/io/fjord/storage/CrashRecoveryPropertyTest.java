package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.protocol.records.RecordHeader;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.LogModel.ExpectedRecord;
import io.fjord.storage.LogModel.StoredBatch;
import io.fjord.storage.SegmentFilesImage.Place;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded crash-recovery property test: random appends (sizes, counts, codecs, keys, timestamps, multi-batch
 * appends), random flushes and background work, small segments and indexes; then a crash that damages only what was
 * not flushed, a reopen with the recovery point, and checks that everything flushed and everything intact before the
 * first damaged byte survives byte for byte, nothing corrupt is served, offsets are contiguous, indexes agree with
 * the data, and the log takes appends again. Two crash cycles per seed.
 *
 * <p>Seeds: {@code -Dstorage.crash.seeds} (default 200) from {@code -Dstorage.crash.firstSeed} (default 0).
 */
class CrashRecoveryPropertyTest {
    private static final int SEEDS = Integer.getInteger("storage.crash.seeds", 200);
    private static final long FIRST_SEED = Long.getLong("storage.crash.firstSeed", 0L);
    private static final int CYCLES = 2;
    private static long startNanos;

    @TempDir
    Path root;

    @TestFactory
    Stream<DynamicTest> recoversFromCrashesThatLoseUnflushedData() {
        System.out.printf("CrashRecoveryPropertyTest covers seeds %d..%d (%d seeds; rerun one with "
                + "-Dstorage.crash.firstSeed=N -Dstorage.crash.seeds=1)%n", FIRST_SEED, FIRST_SEED + SEEDS - 1, SEEDS);
        startNanos = System.nanoTime();
        return LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS).mapToObj(seed -> DynamicTest.dynamicTest(
                "seed " + seed, () -> new Scenario(seed, root.resolve("seed" + seed).resolve("crash-0")).run()));
    }

    @AfterAll
    static void report() {
        System.out.printf("CrashRecoveryPropertyTest ran %d seeds in %d ms%n", SEEDS,
                (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** One seed: a random configuration, CYCLES rounds of work, crash, damage, recovery and checks. */
    private static final class Scenario {
        private final long seed;
        private final Path directory;
        private final Random random;
        private final ManualClock clock = new ManualClock(1_700_000_000_000L);
        private final QueuedExecutor background = new QueuedExecutor();
        private final LogModel model = new LogModel();
        private final LogConfig config;
        private final SegmentHandleCache handleCache;

        Scenario(long seed, Path directory) {
            this.seed = seed;
            this.directory = directory;
            this.random = new Random(seed);
            int indexBytes = switch (random.nextInt(4)) {
                case 0 -> 16 + random.nextInt(48);
                case 1 -> 64 + random.nextInt(256);
                default -> 4096;
            };
            this.config = LogConfig.defaults().with(Map.of(
                    LogConfig.SEGMENT_BYTES, String.valueOf(256 + random.nextInt(3000)),
                    LogConfig.INDEX_INTERVAL_BYTES, String.valueOf(random.nextBoolean() ? random.nextInt(64)
                            : random.nextInt(1500)),
                    LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(indexBytes),
                    LogConfig.MESSAGE_TIMESTAMP_TYPE, random.nextInt(4) == 0 ? "LogAppendTime" : "CreateTime",
                    LogConfig.PREALLOCATE, String.valueOf(random.nextInt(5) == 0),
                    LogConfig.FLUSH_MESSAGES, String.valueOf(random.nextInt(6) == 0 ? 1 + random.nextInt(40)
                            : Long.MAX_VALUE)));
            this.handleCache = random.nextBoolean() ? SegmentHandleCache.unbounded()
                    : new SegmentHandleCache(1 + random.nextInt(3), 60_000);
        }

        void run() {
            PartitionLog log = open(0, true);
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                work(log, 10 + random.nextInt(60));
                log = crashDamageAndReopen(log, cycle);
            }
            log.close();
            PartitionLog reopened = open(log.recoveryPoint(), true);
            assertThat(reopened.logEndOffset()).as("seed %d: log end after a clean reopen", seed)
                    .isEqualTo(model.endOffset());
            checkEveryBatch(reopened, model.endOffset(), "clean reopen");
            reopened.close();
            deleteRecursively(directory.getParent());
        }

        private PartitionLog open(long recoveryPoint, boolean clean) {
            return PartitionLog.open(directory, config, recoveryPoint, 0, clean, clock, handleCache, background);
        }

        private void work(PartitionLog log, int operations) {
            for (int operation = 0; operation < operations; operation++) {
                clock.advance(random.nextInt(50));
                int choice = random.nextInt(100);
                if (choice < 65) {
                    append(log);
                } else if (choice < 73) {
                    log.flush();
                } else if (choice < 78) {
                    long low = log.recoveryPoint();
                    log.flush(low + (long) (random.nextDouble() * (log.logEndOffset() - low + 1)));
                } else if (choice < 90) {
                    background.runOne();
                } else if (choice < 95) {
                    background.runAll();
                } else {
                    clock.advance(random.nextInt(100_000));
                }
            }
        }

        private void append(PartitionLog log) {
            int batchCount = random.nextInt(7) == 0 ? 2 + random.nextInt(2) : 1;
            List<List<Record>> sent = new ArrayList<>();
            List<ByteBuffer> encoded = new ArrayList<>();
            int total = 0;
            for (int index = 0; index < batchCount; index++) {
                List<Record> records = randomRecords();
                ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(0, randomCompression()), records);
                sent.add(records);
                encoded.add(batch);
                total += batch.remaining();
            }
            int prefix = random.nextInt(3) == 0 ? 1 + random.nextInt(20) : 0;
            ByteBuffer buffer = ByteBuffer.allocate(prefix + total);
            buffer.position(prefix);
            encoded.forEach(buffer::put);
            buffer.position(prefix);
            ByteBuffer view = buffer.duplicate();
            int epoch = random.nextInt(4);
            long endBefore = log.logEndOffset();
            AppendResult result;
            try {
                result = log.appendAsLeader(buffer, epoch);
            } catch (RecordBatchException e) {
                assertThat(e.kind()).as("seed %d: rejection of a %d-byte append", seed, total)
                        .isEqualTo(RecordBatchException.Kind.MESSAGE_TOO_LARGE);
                assertThat(total).as("seed %d: only appends larger than segment.bytes are rejected", seed)
                        .isGreaterThan(config.segmentBytes());
                assertThat(log.logEndOffset()).as("seed %d: a rejected append changes nothing", seed)
                        .isEqualTo(endBefore);
                return;
            }
            int recordCount = sent.stream().mapToInt(List::size).sum();
            assertThat(result.firstOffset()).as("seed %d: first offset of an append", seed).isEqualTo(endBefore);
            assertThat(result.lastOffset()).as("seed %d: last offset of an append", seed)
                    .isEqualTo(endBefore + recordCount - 1);
            assertThat(log.logEndOffset()).as("seed %d: log end after an append", seed)
                    .isEqualTo(endBefore + recordCount);
            model.appended(view, sent, result.logAppendTimeMs(), epoch);
        }

        private List<Record> randomRecords() {
            int count = 1 + random.nextInt(random.nextInt(5) == 0 ? 30 : 5);
            long baseTimestamp = clock.millis() + random.nextInt(4000) - 2000;
            List<Record> records = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                ByteBuffer key = random.nextInt(3) == 0 ? null
                        : ByteBuffer.wrap(("key-" + random.nextInt(50)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                byte[] value = new byte[random.nextInt(random.nextBoolean() ? 40 : 300)];
                if (random.nextBoolean()) {
                    random.nextBytes(value);
                } else {
                    Arrays.fill(value, (byte) random.nextInt(4));
                }
                List<RecordHeader> headers = random.nextInt(5) == 0
                        ? List.of(new RecordHeader("h", new byte[] {(byte) index})) : List.of();
                records.add(new Record(index, baseTimestamp + random.nextInt(1000), key,
                        random.nextInt(20) == 0 ? null : ByteBuffer.wrap(value), headers));
            }
            return records;
        }

        private CompressionType randomCompression() {
            return CompressionType.values()[random.nextInt(CompressionType.values().length)];
        }

        private PartitionLog crashDamageAndReopen(PartitionLog log, int cycle) {
            background.dropAll();
            long recoveryPoint = log.recoveryPoint();
            long endBefore = log.logEndOffset();
            log.closeAbruptly();
            SegmentFilesImage image = SegmentFilesImage.of(directory);
            Place flushed = image.flushedPlace(recoveryPoint);
            String damage = new UnflushedDamage(random, image, flushed).apply();
            Place firstDamage = image.firstDamage();
            if (firstDamage != null) {
                assertThat(firstDamage).as("seed %d: the test damaged only unflushed data", seed)
                        .isGreaterThanOrEqualTo(flushed);
            }
            long intactEnd = image.intactEndOffset(firstDamage, 0);
            String context = String.format("seed %d cycle %d, recovery point %d, log end %d, intact up to %d, "
                    + "damage [%s]", seed, cycle, recoveryPoint, endBefore, intactEnd, damage);

            PartitionLog reopened = open(recoveryPoint, false);
            long end = reopened.logEndOffset();
            assertThat(end).as("%s: log end after recovery", context).isBetween(intactEnd, endBefore);
            assertThat(end).as("%s: the recovery point's data is all there", context)
                    .isGreaterThanOrEqualTo(recoveryPoint);
            assertThat(reopened.logStartOffset()).as("%s: log start", context).isZero();
            checkEveryBatch(reopened, intactEnd, context);
            model.truncateTo(end);
            checkEveryOffsetReadsItsBatch(reopened, context);
            checkTimestampLookups(reopened, intactEnd, context);
            for (int index = 0; index < 1 + random.nextInt(3); index++) {
                append(reopened);
            }
            checkEveryBatch(reopened, Long.MAX_VALUE, context + " after appending again");
            return reopened;
        }

        /**
         * Walks the whole log: contiguous offsets, valid CRCs, records equal to what was appended; batches before
         * {@code intactEnd} byte for byte, later ones except the leader-epoch field, which no CRC covers.
         */
        private void checkEveryBatch(PartitionLog log, long intactEnd, String context) {
            ByteBuffer all = log.readAllFrom(log.logStartOffset());
            long expectedNext = log.logStartOffset();
            int consumed = 0;
            for (RecordBatch batch : RecordBatches.of(all)) {
                assertThat(batch.baseOffset()).as("%s: offsets are contiguous", context).isEqualTo(expectedNext);
                assertThat(batch.isCrcValid()).as("%s: CRC of the batch at %d", context, batch.baseOffset()).isTrue();
                StoredBatch stored = model.batchAt(batch.baseOffset());
                assertThat(stored).as("%s: a batch was appended at %d", context, batch.baseOffset()).isNotNull();
                assertThat(batch.lastOffset()).as("%s: last offset of batch %d", context, batch.baseOffset())
                        .isEqualTo(stored.lastOffset());
                byte[] actual = LogModel.bytes(batch.slice());
                if (batch.nextOffset() <= intactEnd) {
                    assertThat(actual).as("%s: bytes of intact batch %d", context, batch.baseOffset())
                            .isEqualTo(stored.bytes());
                } else {
                    assertThat(withoutEpoch(actual)).as("%s: bytes of batch %d", context, batch.baseOffset())
                            .isEqualTo(withoutEpoch(stored.bytes()));
                    model.restored(batch.baseOffset(), actual);
                }
                assertThat(model.compareRecords(batch)).as("%s: records of batch %d", context, batch.baseOffset())
                        .isEmpty();
                expectedNext = batch.nextOffset();
                consumed += batch.sizeInBytes();
            }
            assertThat(consumed).as("%s: no partial batch at the end", context).isEqualTo(all.remaining());
            assertThat(expectedNext).as("%s: the batches reach the log end", context).isEqualTo(log.logEndOffset());
        }

        private static byte[] withoutEpoch(byte[] bytes) {
            byte[] copy = bytes.clone();
            Arrays.fill(copy, RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, RecordBatch.MAGIC_OFFSET, (byte) 0);
            return copy;
        }

        /** Indexes agree with the data: a read at any offset returns the batch holding it first. */
        private void checkEveryOffsetReadsItsBatch(PartitionLog log, String context) {
            for (long offset = log.logStartOffset(); offset < log.logEndOffset(); offset++) {
                LogReadResult result = log.read(offset, 1, Long.MAX_VALUE, true);
                try (FileSlice slice = result.slice()) {
                    ByteBuffer bytes = slice.readAll();
                    assertThat(bytes.remaining()).as("%s: read at %d returns data", context, offset)
                            .isGreaterThanOrEqualTo(RecordBatch.HEADER_SIZE_BYTES);
                    RecordBatch first = new RecordBatch(bytes, 0);
                    assertThat(offset).as("%s: read at %d starts with the batch holding it", context, offset)
                            .isBetween(first.baseOffset(), first.lastOffset());
                    assertThat(result.firstBatchBaseOffset()).as("%s: reported base offset", context)
                            .isEqualTo(first.baseOffset());
                    assertThat(bytes.remaining()).as("%s: the first batch comes whole", context)
                            .isEqualTo(first.sizeInBytes());
                    assertThat(LogModel.bytes(first.slice())).as("%s: bytes read at %d", context, offset)
                            .isEqualTo(model.batchAt(first.baseOffset()).bytes());
                }
            }
        }

        /** offsetForTimestamp and maxTimestampAndOffset agree with a brute-force scan of the model. */
        private void checkTimestampLookups(PartitionLog log, long intactEnd, String context) {
            List<Long> targets = new ArrayList<>();
            List<ExpectedRecord> all = new ArrayList<>(model.records().values());
            for (int index = 0; index < Math.min(12, all.size()); index++) {
                long timestamp = all.get(random.nextInt(all.size())).timestamp();
                targets.add(timestamp + random.nextInt(3) - 1);
            }
            all.stream().map(ExpectedRecord::timestamp).min(Comparator.naturalOrder()).ifPresent(t -> targets.add(t - 1));
            all.stream().map(ExpectedRecord::timestamp).max(Comparator.naturalOrder()).ifPresent(t -> {
                targets.add(t);
                targets.add(t + 1);
            });
            for (long target : targets) {
                Optional<ExpectedRecord> expected = model.firstAtOrAfter(target, log.logStartOffset(),
                        log.logEndOffset());
                Optional<TimestampAndOffset> actual = log.offsetForTimestamp(target);
                assertThat(actual.map(TimestampAndOffset::offset)).as("%s: offsetForTimestamp(%d)", context, target)
                        .isEqualTo(expected.map(ExpectedRecord::offset));
                assertThat(actual.map(TimestampAndOffset::timestamp)).as("%s: timestamp found for %d", context,
                        target).isEqualTo(expected.map(ExpectedRecord::timestamp));
                if (expected.isPresent() && expected.get().offset() < intactEnd) {
                    assertThat(actual.get().leaderEpoch()).as("%s: epoch found for %d", context, target)
                            .isEqualTo(expected.get().leaderEpoch());
                }
            }
            Optional<ExpectedRecord> expectedMax = model.firstWithMaxTimestamp();
            Optional<TimestampAndOffset> actualMax = log.maxTimestampAndOffset();
            assertThat(actualMax.map(value -> value.timestamp() + "@" + value.offset()))
                    .as("%s: maxTimestampAndOffset", context)
                    .isEqualTo(expectedMax.map(value -> value.timestamp() + "@" + value.offset()));
        }

        private static void deleteRecursively(Path directory) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
