package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.internal.LeaderEpochCache;
import io.fjord.storage.internal.LeaderEpochCheckpointFile;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.PartitionLeaderEpochs;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded property: after any sequence of leader and follower appends with rising epochs, truncations, log-start moves,
 * retention, full truncations and restarts (clean, or a crash that tears unflushed bytes off the tail), the log's
 * leader-epoch cache (its checkpoint and its {@code endOffsetForEpoch} answers) equals the cache rebuilt from the
 * log's batches. The project's property tests are seeded JUnit dynamic tests (jqwik is not a dependency).
 *
 * <p>Seeds: {@code -Dstorage.epochs.seeds} (default 20) from {@code -Dstorage.epochs.firstSeed} (default 0).
 */
class LeaderEpochPropertyTest {
    private static final int SEEDS = Integer.getInteger("storage.epochs.seeds", 20);
    private static final long FIRST_SEED = Long.getLong("storage.epochs.firstSeed", 0L);
    private static final int STEPS = 60;

    @TempDir
    Path root;

    @TestFactory
    Stream<DynamicTest> theCacheAlwaysEqualsTheOneRebuiltFromTheBatches() {
        return LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS).mapToObj(seed -> DynamicTest.dynamicTest(
                "seed " + seed, () -> new Scenario(seed, root.resolve("seed" + seed).resolve("epochs-0")).run()));
    }

    private static final class Scenario {
        private final long seed;
        private final Path directory;
        private final Random random;
        private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
        private final QueuedExecutor background = new QueuedExecutor();
        private final LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 500)
                .with(LogConfig.INDEX_INTERVAL_BYTES, 64).with(LogConfig.RETENTION_BYTES, 1_500)
                .with(LogConfig.FILE_DELETE_DELAY_MS, 0);
        private final List<String> history = new ArrayList<>();
        private PartitionLog log;
        private int epochFloor;

        Scenario(long seed, Path directory) {
            this.seed = seed;
            this.directory = directory;
            this.random = new Random(seed);
        }

        void run() throws IOException {
            log = open(0, true);
            try {
                for (int step = 0; step < STEPS; step++) {
                    act();
                    background.runAll();
                    check();
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " after " + history, e);
            } finally {
                background.dropAll();
                log.closeAbruptly();
            }
        }

        /** Reopens with the log start offset, as the log manager's checkpoint would give it. */
        private PartitionLog open(long recoveryPoint, boolean clean) {
            long logStartOffset = log == null ? 0 : log.logStartOffset();
            return PartitionLog.open(directory, config, recoveryPoint, logStartOffset, 0, clean, clock,
                    SegmentHandleCache.unbounded(), background);
        }

        /** The next epoch: never below the log's latest, often the same, sometimes a jump. */
        private int nextEpoch() {
            int latest = Math.max(epochFloor, log.latestEpoch().orElse(0));
            int roll = random.nextInt(10);
            return roll < 6 ? latest : latest + 1 + random.nextInt(3);
        }

        private void act() throws IOException {
            int choice = random.nextInt(100);
            if (choice < 35) {
                int epoch = nextEpoch();
                int batches = 1 + random.nextInt(3);
                history.add("leader(" + epoch + "x" + batches + ")");
                for (int index = 0; index < batches; index++) {
                    log.appendAsLeader(TestBatches.batch(clock.millis(), "v" + random.nextInt(1000)), epoch);
                }
            } else if (choice < 60) {
                followerAppend();
            } else if (choice < 70) {
                long offset = log.logStartOffset()
                        + (long) (random.nextDouble() * (log.logEndOffset() - log.logStartOffset() + 1));
                history.add("truncateTo(" + offset + ")");
                log.truncateTo(offset);
                epochFloor = 0;
            } else if (choice < 76) {
                log.updateHighWatermark(log.logEndOffset());
                long offset = log.logStartOffset()
                        + (long) (random.nextDouble() * (log.logEndOffset() - log.logStartOffset() + 1));
                history.add("advanceStart(" + offset + ")");
                log.maybeAdvanceLogStartOffset(offset);
            } else if (choice < 80) {
                log.updateHighWatermark(log.logEndOffset());
                history.add("retention=" + log.deleteOldSegments());
            } else if (choice < 83) {
                long offset = log.logEndOffset() + random.nextInt(5);
                history.add("truncateFully(" + offset + ")");
                epochFloor = log.latestEpoch().orElse(epochFloor);
                log.truncateFullyAndStartAt(offset);
            } else if (choice < 91) {
                history.add("restart");
                log.close();
                log = open(0, true);
            } else {
                crash();
            }
        }

        /** Batches as another leader wrote them: the log's offsets, rising epochs, one to three batches at once. */
        private void followerAppend() {
            int batches = 1 + random.nextInt(3);
            ByteBuffer all = ByteBuffer.allocate(batches * 256);
            long offset = log.logEndOffset();
            int epoch = nextEpoch();
            StringBuilder epochs = new StringBuilder();
            for (int index = 0; index < batches; index++) {
                ByteBuffer batch = TestBatches.batch(clock.millis(), "f" + random.nextInt(1000), "g");
                RecordBatch view = RecordBatch.at(batch);
                view.setBaseOffset(offset);
                view.setPartitionLeaderEpoch(epoch);
                epochs.append(epoch).append(' ');
                offset = view.nextOffset();
                all.put(batch);
                epoch += random.nextInt(4) == 0 ? 1 : 0;
            }
            history.add("follower(" + epochs.toString().trim() + ")");
            log.appendAsFollower(all.flip());
        }

        /** A crash that may tear the unflushed tail of the active segment. */
        private void crash() throws IOException {
            if (random.nextBoolean()) {
                log.flush();
            }
            long recoveryPoint = log.recoveryPoint();
            LogSegment active = log.activeSegment();
            Path file = active.logFile();
            List<RecordBatch> batches = LogTestSupport.batches(log.readAllFrom(Math.max(active.baseOffset(),
                    log.logStartOffset())));
            int tear = 0;
            if (!batches.isEmpty() && batches.get(batches.size() - 1).baseOffset() >= recoveryPoint) {
                tear = 1 + random.nextInt(batches.get(batches.size() - 1).sizeInBytes());
            }
            history.add("crash(tear " + tear + ")");
            background.dropAll();
            log.closeAbruptly();
            if (tear > 0) {
                try (RandomAccessFile segment = new RandomAccessFile(file.toFile(), "rw")) {
                    segment.setLength(segment.length() - tear);
                }
            }
            log = open(recoveryPoint, false);
        }

        private void check() {
            NavigableMap<Long, LogSegment> segments = new TreeMap<>();
            log.segments().forEach(segment -> segments.put(segment.baseOffset(), segment));
            // Trimmed as a reopen trims: to the epochs of offsets in [log start, log end).
            LeaderEpochCache rebuilt = PartitionLeaderEpochs.rebuild(segments, log.logEndOffset())
                    .truncateFromStart(log.logStartOffset()).truncateFromEnd(log.logEndOffset());
            List<?> stored = new LeaderEpochCheckpointFile(directory).read().orElse(List.of());
            assertThat(stored).as("checkpoint").isEqualTo(rebuilt.entries());
            assertThat(log.latestEpoch()).as("latest epoch").isEqualTo(rebuilt.latestEpoch());
            int top = rebuilt.latestEpoch().orElse(0) + 2;
            for (int epoch = -1; epoch <= top; epoch++) {
                assertThat(log.endOffsetForEpoch(epoch)).as("end offset of epoch " + epoch)
                        .isEqualTo(rebuilt.endOffsetFor(epoch, log.logEndOffset()));
            }
        }
    }
}
