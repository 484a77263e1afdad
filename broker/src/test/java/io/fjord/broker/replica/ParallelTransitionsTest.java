package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One publication's become-leader transitions run side by side, and the publication waits for all of them. */
class ParallelTransitionsTest {
    /** Liveness bound on a busy machine. */
    private static final long BOUND_MS = 60_000;

    private final ParallelTransitions transitions = new ParallelTransitions();

    @AfterEach
    void close() {
        transitions.close();
    }

    @Test
    void transitionsRunSideBySideAndAllHaveRunWhenItReturns() {
        transitions.start();
        int count = ParallelTransitions.THREADS_MAX;
        // Each transition waits until every one has started: one after the other, the first would wait in vain.
        CountDownLatch allStarted = new CountDownLatch(count);
        List<String> done = new CopyOnWriteArrayList<>();
        List<Runnable> work = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            int partition = index;
            work.add(() -> {
                allStarted.countDown();
                try {
                    if (allStarted.await(BOUND_MS, TimeUnit.MILLISECONDS)) {
                        done.add("partition-" + partition);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        transitions.runAll(work);

        assertThat(done).hasSize(count);
    }

    @Test
    void beforeStartTheCallerRunsThemInOrder() {
        List<String> threads = new CopyOnWriteArrayList<>();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Runnable> work = new ArrayList<>();
        for (int index = 0; index < 10; index++) {
            int partition = index;
            work.add(() -> {
                threads.add(Thread.currentThread().getName());
                order.add(partition);
            });
        }

        transitions.runAll(work);

        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(threads).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void afterCloseTheCallerRunsThem() {
        transitions.start();
        transitions.close();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Runnable> work = new ArrayList<>();
        for (int index = 0; index < 10; index++) {
            int partition = index;
            work.add(() -> order.add(partition));
        }

        transitions.runAll(work);

        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
}
