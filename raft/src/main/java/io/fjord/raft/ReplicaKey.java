package io.fjord.raft;

import java.util.Objects;
import java.util.UUID;

/**
 * A replica's identity in a voter set (KIP-853's ReplicaKey): its node id and the id of its log directory, which
 * changes when a disk is replaced, so a replica that lost its log is not mistaken for the voter it was.
 * {@link #NO_DIRECTORY} (Kafka's zero UUID) means unknown: such a key matches any directory of the same node id
 * (the static voters of {@code controller.quorum.voters} have none).
 *
 * <p>Immutable; thread-safe.
 */
public record ReplicaKey(int id, UUID directoryId) {
    public static final UUID NO_DIRECTORY = new UUID(0L, 0L);

    public ReplicaKey {
        Objects.requireNonNull(directoryId, "directoryId");
        if (id < 0) {
            throw new IllegalArgumentException("negative replica id " + id);
        }
    }

    public static ReplicaKey of(int id) {
        return new ReplicaKey(id, NO_DIRECTORY);
    }

    /** Whether {@code other} is this replica: same id, and the same directory unless either is unknown. */
    public boolean matches(ReplicaKey other) {
        return id == other.id && (directoryId.equals(NO_DIRECTORY) || other.directoryId.equals(NO_DIRECTORY)
                || directoryId.equals(other.directoryId));
    }
}
