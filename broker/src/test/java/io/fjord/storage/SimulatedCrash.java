package io.fjord.storage;

/**
 * Stops a {@link LogManager} as a process crash would (no flush, no checkpoints, no clean-shutdown marker), for the
 * broker module's replication simulation; lives in the storage package to reach the test-only hook.
 */
public final class SimulatedCrash {
    private SimulatedCrash() {
    }

    public static void crash(LogManager logManager) {
        logManager.crashForTesting();
    }
}
