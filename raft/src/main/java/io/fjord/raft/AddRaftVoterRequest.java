package io.fjord.raft;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Kafka's AddRaftVoterRequest (API 80, KIP-853): make the replica ({@code voterId}, {@code voterDirectoryId}), an
 * observer that is caught up with the leader, a voter. With {@code ackWhenCommitted} (v1; v0 always) the answer
 * waits until the new voter set is committed. {@code timeoutMs} bounds the wait. {@code listeners} (the schema's
 * Listeners) go into the new voter set with the voter, so every replica learns where it listens; the ClusterId is
 * the transport's business.
 */
public record AddRaftVoterRequest(int source, int destination, int correlationId, int timeoutMs, int voterId,
        UUID voterDirectoryId, boolean ackWhenCommitted, List<VoterEndpoint> listeners) implements RaftMessage {

    public AddRaftVoterRequest {
        Objects.requireNonNull(voterDirectoryId, "voterDirectoryId");
        listeners = List.copyOf(listeners);
    }

    /** A request without listeners (the voter's endpoint comes from configuration). */
    public AddRaftVoterRequest(int source, int destination, int correlationId, int timeoutMs, int voterId,
            UUID voterDirectoryId, boolean ackWhenCommitted) {
        this(source, destination, correlationId, timeoutMs, voterId, voterDirectoryId, ackWhenCommitted, List.of());
    }
}
