package io.fjord.broker.coordinator.driver;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Summarises a burst of offsets-partition loads in one INFO line ("Loaded 50 offsets partitions (12 records) in 85
 * ms"): a node that creates or takes over the offsets topic loads all its partitions at once, and a line for each
 * would bury the rest of the log (each stays at DEBUG). A burst ends when every load expected has finished or was
 * skipped. Thread-safe (synchronized): loads are expected by callers of the driver and finish on the loader thread.
 */
final class LoadSummary {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorDriver.class);

    private final LongSupplier nanoTime;
    private int outstanding;
    private int loaded;
    private int failed;
    private long records;
    private long startNanos;

    /** @param nanoTime the monotonic clock the durations come from */
    LoadSummary(LongSupplier nanoTime) {
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
            LOG.info("Loaded {} offsets partitions ({} records) in {} ms", loaded, records, elapsedMs);
        } else {
            LOG.warn("Loaded {} offsets partitions ({} records) in {} ms; {} failed to load and are retried", loaded,
                    records, elapsedMs, failed);
        }
        loaded = 0;
        failed = 0;
        records = 0;
    }
}
