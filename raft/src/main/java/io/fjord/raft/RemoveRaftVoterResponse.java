package io.fjord.raft;

import io.fjord.protocol.Errors;

/** Kafka's RemoveRaftVoterResponse (API 81): the error (NONE on success) and a message for a failure, else null. */
public record RemoveRaftVoterResponse(int source, int destination, int correlationId, Errors error,
        String errorMessage) implements RaftMessage {
}
