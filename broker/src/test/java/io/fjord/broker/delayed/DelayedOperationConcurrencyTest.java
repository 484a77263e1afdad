package io.fjord.broker.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Many threads watch, satisfy, check and expire operations at once; every operation must complete exactly once,
 * none may stay behind, and the watch lists must end empty.
 */
class DelayedOperationConcurrencyTest {
    private static final int THREADS = 8;
    private static final int OPERATIONS_PER_THREAD = 2_000;
    private static final int KEYS = 32;

    @RepeatedTest(3)
    void everyOperationCompletesExactlyOnce() throws Exception {
        ManualClock clock = new ManualClock(0);
        DelayedOperationPurgatory<TestOperation> purgatory =
                new DelayedOperationPurgatory<>("concurrent", clock, new TimingWheelTimer(clock), 100);
        List<List<TestOperation>> created = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            created.add(new ArrayList<>());
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS + 1);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<TestOperation> mine = created.get(t);
                int seed = t;
                workers.add(executor.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
                        TestOperation operation = new TestOperation(random.nextInt(1, 50));
                        mine.add(operation);
                        List<String> keys = List.of("k" + random.nextInt(KEYS), "k" + random.nextInt(KEYS));
                        if (random.nextInt(10) == 0) {
                            operation.satisfy();
                        }
                        purgatory.tryCompleteElseWatch(operation, keys);
                        // Satisfy an earlier operation of this thread and notify one of its keys; race a direct
                        // completion now and then.
                        TestOperation earlier = mine.get(random.nextInt(mine.size()));
                        earlier.satisfy();
                        purgatory.checkAndComplete("k" + random.nextInt(KEYS));
                        if (random.nextInt(20) == 0) {
                            earlier.forceComplete();
                        }
                    }
                    return null;
                }));
            }
            Future<?> ticker = executor.submit(() -> {
                start.await();
                while (!workers.stream().allMatch(Future::isDone)) {
                    purgatory.advanceClock(clock.advance(1));
                }
                return null;
            });
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            ticker.get(60, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }

        purgatory.advanceClock(clock.advance(1_000));
        purgatory.purgeCompleted();

        List<TestOperation> all = created.stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(THREADS * OPERATIONS_PER_THREAD);
        assertThat(all).allSatisfy(operation -> {
            assertThat(operation.isCompleted()).isTrue();
            assertThat(operation.completions).hasValue(1);
            assertThat(operation.expirations.get()).isLessThanOrEqualTo(1);
        });
        assertThat(all.stream().mapToInt(operation -> operation.expirations.get()).sum())
                .as("some operations expired")
                .isPositive();
        assertThat(purgatory.delayedCount()).isZero();
        assertThat(purgatory.watchedCount()).isZero();
        assertThat(purgatory.watchedKeyCount()).isZero();
    }
}
