package io.fjord.raft;

/**
 * A message between two replicas of the quorum: the Raft core's input from and output to the network. Each type
 * mirrors the fields of the Kafka message of the same name (the KRaft subset of them), so that a transport maps it
 * to and from {@code io.fjord.protocol.message.*Data} field by field; {@code source} and {@code destination} are the
 * connection's two ends and {@code correlationId} is the request header's correlation id (a response carries its
 * request's).
 *
 * <p>Immutable values; thread-safe.
 */
public sealed interface RaftMessage
        permits VoteRequest, VoteResponse, BeginQuorumEpochRequest, BeginQuorumEpochResponse,
        EndQuorumEpochRequest, EndQuorumEpochResponse, FetchRequest, FetchResponse,
        FetchSnapshotRequest, FetchSnapshotResponse, AddRaftVoterRequest, AddRaftVoterResponse,
        RemoveRaftVoterRequest, RemoveRaftVoterResponse, UpdateRaftVoterRequest, UpdateRaftVoterResponse,
        ApiVersionsRequest, ApiVersionsResponse {

    /** The node id of the sender. */
    int source();

    /** The node id of the receiver. */
    int destination();

    /** Pairs a response with its request (the request header's correlation id on the wire). */
    int correlationId();
}
