package io.fjord.metadata.quorum;

/**
 * Decides when the metadata applied since the latest snapshot calls for a new one, as Kafka's snapshot generator
 * does: once the entries applied since then take {@link MetadataSnapshotPolicy#recordBytesBetweenSnapshotsMax()}
 * bytes, or once {@link MetadataSnapshotPolicy#snapshotIntervalMaxMs()} passed since the latest snapshot (or the
 * start) while some entry applied since waits in the log. Time comes in as arguments.
 *
 * <p>Not thread-safe: owned by the loader's thread.
 */
final class SnapshotTrigger {
    private final MetadataSnapshotPolicy policy;
    private long bytesSinceSnapshot;
    private long entriesSinceSnapshot;
    private long lastSnapshotMs;

    SnapshotTrigger(MetadataSnapshotPolicy policy, long nowMs) {
        this.policy = policy;
        this.lastSnapshotMs = nowMs;
    }

    /** An entry of {@code entryBytes} was applied. */
    void applied(long entryBytes) {
        bytesSinceSnapshot += entryBytes;
        entriesSinceSnapshot++;
    }

    /** Whether a snapshot is due at {@code nowMs}. */
    boolean due(long nowMs) {
        if (entriesSinceSnapshot == 0) {
            return false;
        }
        return bytesSinceSnapshot >= policy.recordBytesBetweenSnapshotsMax()
                || policy.snapshotIntervalMaxMs() > 0 && nowMs - lastSnapshotMs >= policy.snapshotIntervalMaxMs();
    }

    /** A snapshot of everything applied so far was taken (or loaded, or attempted) at {@code nowMs}. */
    void reset(long nowMs) {
        bytesSinceSnapshot = 0;
        entriesSinceSnapshot = 0;
        lastSnapshotMs = nowMs;
    }

    long bytesSinceSnapshot() {
        return bytesSinceSnapshot;
    }
}
