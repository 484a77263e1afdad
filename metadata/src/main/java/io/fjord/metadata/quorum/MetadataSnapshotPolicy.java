package io.fjord.metadata.quorum;

/**
 * When a node's {@link MetadataLoader} snapshots the metadata it applied, with Kafka's settings, and the bound on a
 * snapshot's size. Immutable.
 *
 * @param recordBytesBetweenSnapshotsMax Kafka's {@code metadata.log.max.record.bytes.between.snapshots}: the bytes of
 *                                       entries applied since the latest snapshot that trigger a new one (at least 1)
 * @param snapshotIntervalMaxMs          Kafka's {@code metadata.log.max.snapshot.interval.ms}: the longest time since
 *                                       the latest snapshot (or the loader's start) while entries applied since wait
 *                                       in the log; 0 disables the time trigger
 * @param snapshotStateBytesMax          the largest snapshot state written; a larger image is logged at ERROR and not
 *                                       snapshotted (the log keeps its entries)
 */
public record MetadataSnapshotPolicy(long recordBytesBetweenSnapshotsMax, long snapshotIntervalMaxMs,
                                     int snapshotStateBytesMax) {
    /** Kafka's default of {@code metadata.log.max.record.bytes.between.snapshots}: 20 MiB. */
    public static final long RECORD_BYTES_BETWEEN_SNAPSHOTS_DEFAULT = 20L * 1024 * 1024;
    /** Kafka's default of {@code metadata.log.max.snapshot.interval.ms}: one hour. */
    public static final long SNAPSHOT_INTERVAL_DEFAULT_MS = 3_600_000L;
    /**
     * 256 MiB: over two million partition records of three replicas. The snapshot is built, written and loaded as
     * one array, and a node holds a few copies of it at once (records, state, the driver's file bytes).
     */
    public static final int SNAPSHOT_STATE_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;

    public MetadataSnapshotPolicy {
        if (recordBytesBetweenSnapshotsMax < 1) {
            throw new IllegalArgumentException("recordBytesBetweenSnapshotsMax " + recordBytesBetweenSnapshotsMax
                    + " is below 1");
        }
        if (snapshotIntervalMaxMs < 0) {
            throw new IllegalArgumentException("snapshotIntervalMaxMs " + snapshotIntervalMaxMs + " is negative");
        }
        if (snapshotStateBytesMax < MetadataEntries.HEADER_BYTES) {
            throw new IllegalArgumentException("snapshotStateBytesMax " + snapshotStateBytesMax + " is too small");
        }
    }

    /** Kafka's two settings with the default size bound. */
    public MetadataSnapshotPolicy(long recordBytesBetweenSnapshotsMax, long snapshotIntervalMaxMs) {
        this(recordBytesBetweenSnapshotsMax, snapshotIntervalMaxMs, SNAPSHOT_STATE_BYTES_MAX_DEFAULT);
    }

    /** Kafka's defaults: 20 MiB or one hour. */
    public static MetadataSnapshotPolicy defaults() {
        return new MetadataSnapshotPolicy(RECORD_BYTES_BETWEEN_SNAPSHOTS_DEFAULT, SNAPSHOT_INTERVAL_DEFAULT_MS);
    }
}
