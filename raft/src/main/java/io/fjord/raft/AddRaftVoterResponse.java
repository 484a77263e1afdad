package io.fjord.raft;

import io.fjord.protocol.Errors;

/** Kafka's AddRaftVoterResponse (API 80): the error (NONE on success) and a message for a failure, else null. */
public record AddRaftVoterResponse(int source, int destination, int correlationId, Errors error,
        String errorMessage) implements RaftMessage {
}
