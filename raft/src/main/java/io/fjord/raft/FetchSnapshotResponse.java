package io.fjord.raft;

import io.fjord.protocol.Errors;

/**
 * Kafka's FetchSnapshotResponse (API 59): one chunk of a snapshot ({@code size} is the whole snapshot's, the chunk
 * starts at {@code position}), or an error (SNAPSHOT_NOT_FOUND, POSITION_OUT_OF_RANGE, or an epoch error).
 */
public record FetchSnapshotResponse(int source, int destination, int correlationId, Errors error,
        OffsetAndEpoch snapshotId, LeaderAndEpoch currentLeader, long size, long position, byte[] unalignedRecords)
        implements RaftMessage {

    @Override
    public String toString() {
        return "FetchSnapshotResponse[source=" + source + ", destination=" + destination + ", correlationId="
                + correlationId + ", error=" + error + ", snapshotId=" + snapshotId + ", currentLeader="
                + currentLeader + ", size=" + size + ", position=" + position + ", bytes="
                + (unalignedRecords == null ? "null" : unalignedRecords.length + "B") + "]";
    }
}
