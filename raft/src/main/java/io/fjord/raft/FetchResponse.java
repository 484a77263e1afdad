package io.fjord.raft;

import io.fjord.protocol.Errors;
import java.util.List;

/**
 * The KRaft subset of Kafka's FetchResponse (API 1) for the one metadata partition. {@code divergingEpoch} is set
 * (instead of records) when the fetch offset and last fetched epoch do not match the leader's log: the replica
 * truncates and fetches again. {@code snapshotId} is set (instead of records, KIP-630) when the entries the replica
 * needs are only in the leader's snapshot: the replica fetches that snapshot with FetchSnapshot.
 * {@code currentLeader} names the leader and epoch the responder knows. {@code records} are log entries (record
 * batches on the wire).
 */
public record FetchResponse(int source, int destination, int correlationId, Errors error, long highWatermark,
        long logStartOffset, EpochEndOffset divergingEpoch, LeaderAndEpoch currentLeader, List<LogEntry> records,
        OffsetAndEpoch snapshotId) implements RaftMessage {

    public FetchResponse {
        records = List.copyOf(records);
    }

    /** A response without a snapshot id. */
    public FetchResponse(int source, int destination, int correlationId, Errors error, long highWatermark,
            long logStartOffset, EpochEndOffset divergingEpoch, LeaderAndEpoch currentLeader,
            List<LogEntry> records) {
        this(source, destination, correlationId, error, highWatermark, logStartOffset, divergingEpoch,
                currentLeader, records, null);
    }
}
