package io.fjord.broker.coordinator.runtime;

import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Summarises a burst of coordinator partition loads in one INFO line ("Loaded 50 offsets partitions (12 records) in 85
 * ms"): a node that creates or takes over the offsets topic loads all its partitions at once, and a line for each
 * would bury the rest of the log (each stays at DEBUG). A burst ends when every load expected has finished or was
 * skipped. Thread-safe (synchronized): loads are expected by callers of the runtime and finish on the loader thread.
 */
final class LoadSummary {
    private final Logger log;
    private final String partitionsLabel;
    private final LongSupplier nanoTime;
    private int outstanding;
    private int loaded;
    private int failed;
    private long records;
    private long startNanos;

    /**
     * @param log             where the line goes (the coordinator's logger)
     * @param partitionsLabel what the partitions are called in the line ("offsets partitions")
     * @param nanoTime        the monotonic clock the durations come from
     */
    LoadSummary(Logger log, String partitionsLabel, LongSupplier nanoTime) {
        this.log = log;
        this.partitionsLabel = partitionsLabel;
        this.nanoTime = nanoTime;
    }

    /** A load may follow (a partition was elected). */
    synchronized void expect() {
        if (outstanding == 0) {
            startNanos = nanoTime.getAsLong();
        }
        outstanding++;
    }

    /** An expected load did not happen (already loaded at that epoch, or shutting down). */
    synchronized void skipped() {
        finish();
    }

    synchronized void loaded(long partitionRecords) {
        loaded++;
        records += partitionRecords;
        finish();
    }

    synchronized void failed() {
        failed++;
        finish();
    }

    private void finish() {
        outstanding = Math.max(0, outstanding - 1);
        if (outstanding > 0 || loaded + failed == 0) {
            return;
        }
        long elapsedMs = (nanoTime.getAsLong() - startNanos) / 1_000_000;
        if (failed == 0) {
            log.info("Loaded {} {} ({} records) in {} ms", loaded, partitionsLabel, records, elapsedMs);
        } else {
            log.warn("Loaded {} {} ({} records) in {} ms; {} failed to load and are retried", loaded, partitionsLabel,
                    records, elapsedMs, failed);
        }
        loaded = 0;
        failed = 0;
        records = 0;
    }
}
