package io.fjord.bench.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Turns counts, a duration and latencies into printed figures. MB = 2^20 bytes, as Kafka's perf tools. Stateless. */
final class Figures {
    static final double BYTES_PER_MB = 1024.0 * 1024.0;

    private Figures() {
    }

    static double perSecond(long count, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : count * 1e9 / elapsedNanos;
    }

    static double megabytesPerSecond(long bytes, long elapsedNanos) {
        return perSecond(bytes, elapsedNanos) / BYTES_PER_MB;
    }

    static double millis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The once-a-second progress line. */
    static String progressLine(String mode, long totalRecords, long intervalRecords, long intervalBytes,
            long intervalNanos, Histogram intervalLatencies) {
        return String.format(Locale.ROOT, "%s: %,d records, %,.0f records/s, %.1f MB/s, latency p50 %.2f ms, "
                        + "p99 %.2f ms", mode, totalRecords, perSecond(intervalRecords, intervalNanos),
                megabytesPerSecond(intervalBytes, intervalNanos), millis(intervalLatencies, 50),
                millis(intervalLatencies, 99));
    }

    /** The human summary of a run, then one {@code RESULT key=value ...} line for scripts. */
    static String summary(String mode, String latencyName, long records, long bytes, long errors,
            long elapsedNanos, Histogram latencies) {
        double seconds = elapsedNanos / 1e9;
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s summary: %,d records, %,d bytes in %.2f s: %,.0f records/s, "
                        + "%.2f MB/s, %d errors%n", mode, records, bytes, seconds, perSecond(records, elapsedNanos),
                megabytesPerSecond(bytes, elapsedNanos), errors));
        if (latencies.getTotalCount() > 0) {
            text.append(String.format(Locale.ROOT, "%s %s latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, "
                            + "max %.2f ms (%,d samples)%n", mode, latencyName, millis(latencies, 50),
                    millis(latencies, 99), millis(latencies, 99.9), latencies.getMaxValue() / 1000.0,
                    latencies.getTotalCount()));
        }
        text.append(String.format(Locale.ROOT, "RESULT mode=%s records=%d bytes=%d errors=%d seconds=%.3f "
                        + "records_per_sec=%.1f mb_per_sec=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f",
                mode, records, bytes, errors, seconds, perSecond(records, elapsedNanos),
                megabytesPerSecond(bytes, elapsedNanos), millis(latencies, 50), millis(latencies, 99),
                millis(latencies, 99.9), latencies.getTotalCount() == 0 ? 0 : latencies.getMaxValue() / 1000.0));
        return text.toString();
    }
}
