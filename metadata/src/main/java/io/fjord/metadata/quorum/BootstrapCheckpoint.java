package io.fjord.metadata.quorum;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.VoterSet;
import io.fjord.raft.storage.RaftLogStore;
import io.fjord.raft.storage.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bootstrap checkpoint of a dynamic quorum (KIP-853), Kafka's {@code 00000000000000000000-0000000000.checkpoint}:
 * a snapshot at offset 0, epoch 0 of the metadata log that holds the initial voters (with their directory ids and
 * endpoints) and the empty metadata image, written by {@code fjord format --standalone} or
 * {@code --initial-controllers}. The Raft core starts from it with those voters, and the first leader writes them
 * into the log (a VOTERS entry) so that replicas fetching from offset 0 learn them. Stateless; thread-safe.
 */
public final class BootstrapCheckpoint {
    /** Kafka's bootstrap snapshot id. */
    public static final OffsetAndEpoch ID = new OffsetAndEpoch(0, 0);

    private BootstrapCheckpoint() {
    }

    /** Writes the checkpoint for {@code voters} (not empty) into metadata directory {@code metadataDirectory}. */
    public static void write(Path metadataDirectory, VoterSet voters) throws IOException {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a bootstrap checkpoint needs at least one voter");
        }
        Path logDirectory = metadataDirectory.resolve(RaftLogStore.DIRECTORY_NAME);
        Files.createDirectories(logDirectory);
        byte[] voterBytes = voters.encode();
        byte[] state = MetadataSnapshots.encode(MetadataImage.EMPTY, Integer.MAX_VALUE);
        SnapshotStore store = new SnapshotStore(logDirectory);
        try {
            store.create(ID, ByteBuffer.allocate(voterBytes.length + state.length).put(voterBytes).put(state)
                    .flip());
        } finally {
            store.close();
        }
    }

    /** Whether {@code metadataDirectory} holds a metadata log or a snapshot already. */
    public static boolean exists(Path metadataDirectory) {
        return Files.exists(metadataDirectory.resolve(RaftLogStore.DIRECTORY_NAME)
                .resolve(SnapshotStore.fileName(ID)));
    }
}
