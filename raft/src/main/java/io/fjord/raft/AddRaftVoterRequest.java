package io.fjord.raft;

import java.util.Objects;
import java.util.UUID;

/**
 * Kafka's AddRaftVoterRequest (API 80, KIP-853): make the replica ({@code voterId}, {@code voterDirectoryId}), an
 * observer that is caught up with the leader, a voter. With {@code ackWhenCommitted} (v1; v0 always) the answer
 * waits until the new voter set is committed. {@code timeoutMs} bounds the wait. The schema's ClusterId and
 * Listeners are the transport's business (they name endpoints, which the core does not hold).
 */
public record AddRaftVoterRequest(int source, int destination, int correlationId, int timeoutMs, int voterId,
        UUID voterDirectoryId, boolean ackWhenCommitted) implements RaftMessage {

    public AddRaftVoterRequest {
        Objects.requireNonNull(voterDirectoryId, "voterDirectoryId");
    }
}
