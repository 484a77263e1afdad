package io.fjord.raft;

import io.fjord.protocol.Errors;

/** Kafka's FetchSnapshotResponse (API 59): one chunk of a snapshot, or an error. */
public record FetchSnapshotResponse(int source, int destination, int correlationId, Errors error,
        OffsetAndEpoch snapshotId, LeaderAndEpoch currentLeader, long size, long position, byte[] unalignedRecords)
        implements RaftMessage {
}
