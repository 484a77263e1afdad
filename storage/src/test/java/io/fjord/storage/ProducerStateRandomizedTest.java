package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random idempotent appends (in order, retries of recent and old batches, gaps, epoch bumps, stale epochs,
 * unknown producers, plain batches) interleaved with rolls, truncations, clean reopens and crashes, checked against
 * a model built from the history of appended batches. Seeds: {@code -Dstorage.producer.seeds} (default 25) from
 * {@code -Dstorage.producer.firstSeed} (default 0).
 */
class ProducerStateRandomizedTest {
    private static final int SEEDS = Integer.getInteger("storage.producer.seeds", 25);
    private static final long FIRST_SEED = Long.getLong("storage.producer.firstSeed", 0L);
    private static final int STEPS = 300;

    @TempDir
    Path root;

    @TestFactory
    Stream<DynamicTest> idempotentAppendsMatchTheModel() {
        System.out.printf("ProducerStateRandomizedTest covers seeds %d..%d (rerun one with "
                + "-Dstorage.producer.firstSeed=N -Dstorage.producer.seeds=1)%n", FIRST_SEED, FIRST_SEED + SEEDS - 1);
        return LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS).mapToObj(seed -> DynamicTest.dynamicTest(
                "seed " + seed, () -> new Scenario(seed, root.resolve("seed" + seed).resolve("random-0")).run()));
    }

    /** A batch the model knows was written. */
    private record Written(long producerId, short epoch, int firstSequence, int lastSequence, long firstOffset,
                           long lastOffset) {
    }

    /** What the model expects of an attempted append. */
    private record Expected(Kind error, Written duplicate) {
    }

    private static final class Scenario {
        private final long seed;
        private final Path directory;
        private final Random random;
        private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
        private final QueuedExecutor background = new QueuedExecutor();
        private final LogConfig config;
        private final List<Written> history = new ArrayList<>();
        private final Map<Long, Short> epochs = new HashMap<>();
        private PartitionLog log;
        private long nextUnknownProducer = 1000;
        private int duplicates;
        private int written;
        private final Map<Kind, Integer> rejections = new HashMap<>();
        private int crashes;

        Scenario(long seed, Path directory) {
            this.seed = seed;
            this.directory = directory;
            this.random = new Random(seed);
            this.config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, String.valueOf(200 + random.nextInt(800)))
                    .with(LogConfig.FILE_DELETE_DELAY_MS, 0);
        }

        void run() {
            log = PartitionLog.open(directory, config, 0, 0, true, clock, SegmentHandleCache.unbounded(), background);
            for (int step = 0; step < STEPS; step++) {
                int choice = random.nextInt(100);
                if (choice < 3) {
                    reopen(random.nextBoolean());
                } else if (choice < 5) {
                    truncate();
                } else if (choice < 8) {
                    log.roll();
                } else if (choice < 12) {
                    log.appendAsLeader(TestBatches.batch(clock.millis(), "plain"), 0);
                } else {
                    attempt(step);
                }
                if (random.nextInt(10) == 0) {
                    background.runAll();
                }
                clock.advance(random.nextInt(3));
            }
            checkStates("end");
            log.close();
            System.out.printf("seed %d: %d written, %d duplicates, rejections %s, %d crashes%n", seed, written,
                    duplicates, rejections, crashes);
            // The generator must have reached every outcome, or the run proved little.
            assertThat(duplicates).as(where("duplicates")).isPositive();
            assertThat(written).as(where("idempotent batches written")).isPositive();
            assertThat(rejections.keySet()).as(where("rejections")).contains(Kind.OUT_OF_ORDER_SEQUENCE_NUMBER,
                    Kind.INVALID_PRODUCER_EPOCH);
        }

        private String where(String what) {
            return "seed " + seed + ": " + what;
        }

        private void reopen(boolean clean) {
            long recoveryPoint = log.recoveryPoint();
            if (clean) {
                log.close();
                recoveryPoint = log.recoveryPoint();
            } else {
                log.closeAbruptly();
                crashes++;
            }
            log = PartitionLog.open(directory, config, recoveryPoint, 0, clean, clock, SegmentHandleCache.unbounded(),
                    background);
            checkStates(clean ? "clean reopen" : "crash");
        }

        private void truncate() {
            if (log.logEndOffset() == 0) {
                return;
            }
            long offset = (long) (random.nextDouble() * log.logEndOffset());
            log.truncateTo(offset);
            long end = log.logEndOffset();
            history.removeIf(batch -> batch.lastOffset() >= end);
            checkStates("truncation to " + offset);
        }

        /** One idempotent append of a random kind, compared with the model's expectation. */
        private void attempt(int step) {
            long producerId = random.nextInt(4);
            List<Written> retained = retained(producerId);
            short epoch = retained.isEmpty() ? epochs.getOrDefault(producerId, (short) 0) : retained.get(0).epoch();
            int next = retained.isEmpty() ? 0 : retained.get(retained.size() - 1).lastSequence() + 1;
            int count = 1 + random.nextInt(3);
            int sequence = next;
            int kind = random.nextInt(20);
            List<Written> all = ofProducer(producerId);
            if (kind < 3 && !retained.isEmpty()) {
                Written original = retained.get(random.nextInt(retained.size()));
                sequence = original.firstSequence();
                count = original.lastSequence() - original.firstSequence() + 1;
            } else if (kind < 4 && !all.isEmpty()) {
                Written old = all.get(random.nextInt(all.size()));
                epoch = old.epoch();
                sequence = old.firstSequence();
                count = old.lastSequence() - old.firstSequence() + 1;
            } else if (kind < 6) {
                sequence = next + 1 + random.nextInt(3);
            } else if (kind < 8) {
                epoch = (short) (epoch + 1);
                sequence = random.nextInt(3) == 0 ? 1 + random.nextInt(5) : 0;
            } else if (kind < 9 && epoch > 0) {
                epoch = (short) random.nextInt(epoch);
            } else if (kind < 10) {
                producerId = nextUnknownProducer++;
                epoch = 0;
                sequence = random.nextInt(3);
            }
            Expected expected = expect(producerId, epoch, sequence, count);
            String[] values = new String[count];
            for (int index = 0; index < count; index++) {
                values[index] = "s" + step + "-" + index;
            }
            long end = log.logEndOffset();
            String description = where("step " + step + ": producer " + producerId + " epoch " + epoch
                    + " sequences " + sequence + "+" + count);
            try {
                AppendResult result = log.appendAsLeader(TestBatches.idempotent(producerId, epoch, sequence,
                        clock.millis(), values), 0);
                assertThat(expected.error()).as(description + " succeeded").isNull();
                if (expected.duplicate() != null) {
                    assertThat(result.duplicate()).as(description).isTrue();
                    assertThat(result.firstOffset()).as(description).isEqualTo(expected.duplicate().firstOffset());
                    assertThat(result.lastOffset()).as(description).isEqualTo(expected.duplicate().lastOffset());
                    assertThat(log.logEndOffset()).as(description).isEqualTo(end);
                    duplicates++;
                } else {
                    assertThat(result.duplicate()).as(description).isFalse();
                    assertThat(result.firstOffset()).as(description).isEqualTo(end);
                    int last = sequence + count - 1;
                    history.add(new Written(producerId, epoch, sequence, last, end, end + count - 1));
                    epochs.put(producerId, epoch);
                    written++;
                }
            } catch (RecordBatchException e) {
                assertThat(e.kind()).as(description + ": " + e.getMessage()).isEqualTo(expected.error());
                assertThat(log.logEndOffset()).as(description).isEqualTo(end);
                rejections.merge(e.kind(), 1, Integer::sum);
            }
        }

        private Expected expect(long producerId, short epoch, int sequence, int count) {
            List<Written> retained = retained(producerId);
            if (retained.isEmpty()) {
                return new Expected(null, null); // no state: any sequence starts it (KIP-360)
            }
            short current = retained.get(0).epoch();
            if (epoch < current) {
                return new Expected(Kind.INVALID_PRODUCER_EPOCH, null);
            }
            if (epoch > current) {
                return new Expected(sequence == 0 ? null : Kind.OUT_OF_ORDER_SEQUENCE_NUMBER, null);
            }
            for (Written batch : retained) {
                if (batch.firstSequence() == sequence && batch.lastSequence() == sequence + count - 1) {
                    return new Expected(null, batch);
                }
            }
            int next = retained.get(retained.size() - 1).lastSequence() + 1;
            return new Expected(sequence == next ? null : Kind.OUT_OF_ORDER_SEQUENCE_NUMBER, null);
        }

        private List<Written> ofProducer(long producerId) {
            return history.stream().filter(batch -> batch.producerId() == producerId).toList();
        }

        /** The last five batches of the producer's latest epoch: what the partition must remember. */
        private List<Written> retained(long producerId) {
            List<Written> batches = ofProducer(producerId);
            if (batches.isEmpty()) {
                return List.of();
            }
            short epoch = batches.get(batches.size() - 1).epoch();
            List<Written> ofEpoch = batches.stream().filter(batch -> batch.epoch() == epoch).toList();
            return ofEpoch.subList(Math.max(0, ofEpoch.size() - ProducerState.BATCHES_RETAINED), ofEpoch.size());
        }

        private void checkStates(String after) {
            Map<Long, ProducerState> states = log.producerStates();
            List<Long> expectedProducers = history.stream().map(Written::producerId).distinct().sorted().toList();
            assertThat(states.keySet().stream().sorted().toList()).as(where("producers after " + after))
                    .isEqualTo(expectedProducers);
            for (long producerId : expectedProducers) {
                List<ProducerState.Batch> expected = retained(producerId).stream().map(batch ->
                        new ProducerState.Batch(batch.firstSequence(), batch.lastSequence(), batch.firstOffset(),
                                batch.lastOffset(), 0)).toList();
                List<ProducerState.Batch> actual = states.get(producerId).batches().stream().map(batch ->
                        new ProducerState.Batch(batch.firstSequence(), batch.lastSequence(), batch.firstOffset(),
                                batch.lastOffset(), 0)).toList();
                assertThat(actual).as(where("batches of producer " + producerId + " after " + after))
                        .isEqualTo(expected);
                assertThat(states.get(producerId).producerEpoch()).isEqualTo(retained(producerId).get(0).epoch());
            }
            // After truncation the model forgets epochs of producers whose batches all went.
            epochs.keySet().retainAll(expectedProducers);
        }
    }
}
