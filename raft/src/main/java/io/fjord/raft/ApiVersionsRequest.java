package io.fjord.raft;

import java.util.List;

/**
 * Kafka's ApiVersionsRequest as the leader sends it to a replica it is asked to add as a voter (KIP-853): to learn
 * which {@code kraft.version} levels the replica's software supports. {@code listeners} are the endpoints the
 * AddRaftVoter request named, where the transport reaches the replica.
 *
 * <p>Immutable; thread-safe.
 */
public record ApiVersionsRequest(int source, int destination, int correlationId, List<VoterEndpoint> listeners)
        implements RaftMessage {

    public ApiVersionsRequest {
        listeners = List.copyOf(listeners);
    }
}
