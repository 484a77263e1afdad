package io.fjord.bench.security;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * A hand-timed loop that measures the CPU time of the calling thread per operation (not wall-clock time), for
 * comparing the two authorizers on a shared, loaded machine where a JMH score mostly measures waiting for a core:
 * per case, warm-up iterations then measured ones, each running the operation in batches until the thread has used
 * the iteration's CPU time. Prints each measured iteration and the median. Used by both side-by-side runners.
 *
 * <p>Not thread-safe: one thread runs it.
 */
final class CpuTimeLoop {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Folded results, so that no operation's answer is unused (and optimized away). */
    static volatile int sink;

    private CpuTimeLoop() {
    }

    static void measure(String benchmark, Map<String, IntSupplier> cases, int warmupIterations, int iterations,
                        long iterationCpuNanos) {
        for (Map.Entry<String, IntSupplier> entry : cases.entrySet()) {
            IntSupplier operation = entry.getValue();
            double[] nanosPerOperation = new double[iterations];
            for (int iteration = 0; iteration < warmupIterations + iterations; iteration++) {
                double measured = iterate(operation, iterationCpuNanos);
                if (iteration >= warmupIterations) {
                    nanosPerOperation[iteration - warmupIterations] = measured;
                }
            }
            double[] sorted = nanosPerOperation.clone();
            Arrays.sort(sorted);
            StringBuilder line = new StringBuilder();
            for (double value : nanosPerOperation) {
                line.append(line.length() == 0 ? "" : ", ").append(String.format("%.1f", value));
            }
            System.out.printf("%s.%s  CPU ns/op median %.1f  (iterations: %s)%n", benchmark, entry.getKey(),
                    sorted[sorted.length / 2], line);
        }
    }

    /** Runs {@code operation} until the thread used {@code cpuNanos}: its CPU nanoseconds per operation. */
    private static double iterate(IntSupplier operation, long cpuNanos) {
        int folded = 0;
        long operations = 0;
        int batch = 1;
        long start = THREADS.getCurrentThreadCpuTime();
        long used = 0;
        while (used < cpuNanos) {
            long batchStart = THREADS.getCurrentThreadCpuTime();
            for (int call = 0; call < batch; call++) {
                folded += operation.getAsInt();
            }
            long batchEnd = THREADS.getCurrentThreadCpuTime();
            operations += batch;
            used = batchEnd - start;
            // Batches of at least a millisecond: the CPU clock's reading costs about a microsecond.
            if (batchEnd - batchStart < 1_000_000 && batch < (1 << 20)) {
                batch *= 2;
            }
        }
        sink += folded;
        return (double) used / operations;
    }
}
