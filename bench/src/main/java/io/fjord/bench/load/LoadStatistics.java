package io.fjord.bench.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts records and bytes and records latencies (microseconds) for a load run; hands out interval snapshots for the
 * progress line and the whole run's histogram for the summary. Thread-safe: any thread may record (the producer's
 * I/O thread does, through send callbacks); one thread at a time takes intervals.
 */
final class LoadStatistics {
    /** Latencies above an hour are clamped: the histogram needs an upper bound. */
    static final long HIGHEST_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int SIGNIFICANT_DIGITS = 3;

    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Recorder latencies = new Recorder(HIGHEST_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(HIGHEST_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    private Histogram recycled;
    private long lastRecords;
    private long lastBytes;

    /** One interval's counts and latencies. */
    record Interval(long records, long bytes, Histogram latencies) {
    }

    void record(long recordCount, long byteCount, long latencyMicros) {
        records.add(recordCount);
        bytes.add(byteCount);
        latencies.recordValue(Math.max(0, Math.min(latencyMicros, HIGHEST_LATENCY_MICROS)));
    }

    /** Counts records without a latency (e.g. a consumer that cannot tell one). */
    void count(long recordCount, long byteCount) {
        records.add(recordCount);
        bytes.add(byteCount);
    }

    void error() {
        errors.increment();
    }

    long records() {
        return records.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    long errors() {
        return errors.sum();
    }

    /** What was recorded since the previous call; also folds it into the run's histogram. */
    synchronized Interval interval() {
        Histogram histogram = latencies.getIntervalHistogram(recycled);
        total.add(histogram);
        recycled = histogram;
        long recordsNow = records.sum();
        long bytesNow = bytes.sum();
        Interval interval = new Interval(recordsNow - lastRecords, bytesNow - lastBytes, histogram);
        lastRecords = recordsNow;
        lastBytes = bytesNow;
        return interval;
    }

    /** The whole run's latencies, including what was recorded since the last interval. */
    synchronized Histogram total() {
        interval();
        return total.copy();
    }
}
