package io.fjord.server;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps of a node's stop in order and logs each one that took a second or more, so that a slow stop says
 * which step held it (each step has its own bound; their sum is what a service manager waits for).
 *
 * <p>Not thread-safe: one stopping thread uses it.
 */
final class StopSteps {
    private static final Logger LOG = LoggerFactory.getLogger(StopSteps.class);
    private static final long SLOW_STEP_MS = 1_000;

    private final int nodeId;
    private final long startNanos = System.nanoTime();

    StopSteps(int nodeId) {
        this.nodeId = nodeId;
    }

    /** Runs {@code step}; a step that throws is logged and the stop goes on with the next one. */
    void run(String name, Runnable step) {
        long stepStartNanos = System.nanoTime();
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("Stopping node {}: {} failed: {}", nodeId, name, e.toString());
        } finally {
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stepStartNanos);
            if (tookMs >= SLOW_STEP_MS) {
                LOG.info("Stopping node {}: {} took {} ms ({} ms since the stop began)", nodeId, name, tookMs,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            }
        }
    }
}
