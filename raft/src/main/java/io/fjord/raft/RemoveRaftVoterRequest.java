package io.fjord.raft;

import java.util.Objects;
import java.util.UUID;

/**
 * Kafka's RemoveRaftVoterRequest (API 81, KIP-853): remove voter ({@code voterId}, {@code voterDirectoryId}). The
 * answer waits until the new voter set is committed. ClusterId is the transport's business.
 */
public record RemoveRaftVoterRequest(int source, int destination, int correlationId, int voterId,
        UUID voterDirectoryId) implements RaftMessage {

    public RemoveRaftVoterRequest {
        Objects.requireNonNull(voterDirectoryId, "voterDirectoryId");
    }
}
