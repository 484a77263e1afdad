package io.fjord.bench.load;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints a progress line (records/s, MB/s, p50, p99 of the last interval) at a fixed interval on its own daemon
 * thread, started by {@link #start()} and ended by {@link #close()}. Thread-safe.
 */
final class ProgressReporter implements AutoCloseable {
    private final String mode;
    private final LoadStatistics statistics;
    private final PrintStream out;
    private final long intervalMs;
    private ScheduledExecutorService timer;
    private long lastNanos;

    ProgressReporter(String mode, LoadStatistics statistics, PrintStream out, long intervalMs) {
        this.mode = mode;
        this.statistics = statistics;
        this.out = out;
        this.intervalMs = intervalMs;
    }

    synchronized void start() {
        lastNanos = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "load-progress");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(this::report, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void report() {
        long now = System.nanoTime();
        LoadStatistics.Interval interval = statistics.interval();
        out.println(Figures.progressLine(mode, statistics.records(), interval.records(), interval.bytes(),
                now - lastNanos, interval.latencies()));
        lastNanos = now;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // The caller is being interrupted; it will see the flag, and the reporter is stopped either way.
                Thread.currentThread().interrupt();
            }
        }
    }
}
