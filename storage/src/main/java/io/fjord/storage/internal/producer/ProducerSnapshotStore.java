package io.fjord.storage.internal.producer;

import io.fjord.storage.ProducerState;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;

/**
 * Where producer-state snapshots live: one per offset, each holding the state of every producer after all batches
 * below that offset. The only IO of producer-state tracking; {@link ProducerSnapshotFiles} keeps them as files.
 *
 * <p>Implementations need not be thread-safe: the owning log calls them under its append lock.
 */
public interface ProducerSnapshotStore {
    /**
     * Writes the snapshot at {@code offset}, replacing one there; atomically (a reader sees the old or the whole new
     * snapshot). With {@code durable} the snapshot is forced to the device before this returns.
     */
    void write(long offset, Collection<ProducerState> producers, boolean durable);

    /** The snapshot at {@code offset}; empty if there is none or it is damaged (a damaged one is also deleted). */
    Optional<List<ProducerState>> read(long offset);

    /** Offsets of the snapshots present, ascending. */
    NavigableSet<Long> offsets();

    void delete(long offset);
}
