package io.fjord.metadata.quorum;

import io.fjord.raft.OffsetAndEpoch;
import java.util.concurrent.CompletableFuture;

/**
 * Where the {@link MetadataLoader} sends a snapshot to be saved: the Raft driver's
 * {@link io.fjord.raft.driver.RaftDriver#createSnapshot(long, byte[])} (it writes the voter set, then {@code state},
 * and moves the log's start to {@code offset}). Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface SnapshotWriter {
    /** Saves {@code state}, the state after every entry below {@code offset}; completes with the snapshot's id. */
    CompletableFuture<OffsetAndEpoch> createSnapshot(long offset, byte[] state);
}
