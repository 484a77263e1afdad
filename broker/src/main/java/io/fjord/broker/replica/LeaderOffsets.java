package io.fjord.broker.replica;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a follower does when the leader answers its fetch OFFSET_OUT_OF_RANGE, worked out by asking the leader
 * (Kafka's fetchOffsetAndTruncate, with an epoch check first): if this log has a leader epoch, OffsetForLeaderEpoch
 * says where that epoch ends on the leader, and a log that runs past it is truncated there by
 * {@link FollowerTruncation} (a log without epochs is compared with the leader's end, ListOffsets LATEST); otherwise,
 * if this log ends below the leader's log start (ListOffsets EARLIEST; the leader deleted what this follower still
 * needs), it starts again, empty, at the leader's log start. Called on the fetcher's thread without its partition map
 * lock (it waits for the leader); the caller applies the result only if the partition did not change meanwhile.
 *
 * <p>Not thread-safe: used by its fetcher's thread only.
 */
final class LeaderOffsets {
    /** What to do to the log: truncate to {@code truncateTo}, or empty it and start at {@code startAt}; -1 for none. */
    record Recovery(long truncateTo, long startAt) {
        static final Recovery NONE = new Recovery(-1, -1);

        boolean isNone() {
            return truncateTo < 0 && startAt < 0;
        }
    }

    /** The leader answered a partition error. */
    static final class LeaderError extends Exception {
        private static final long serialVersionUID = 1L;
        private final Errors error;

        LeaderError(Errors error, String message) {
            super(message + ": " + error);
            this.error = error;
        }

        Errors error() {
            return error;
        }
    }

    private final LeaderEndpoint leader;
    private final FetcherWaits waits;
    private final int localId;
    private final long requestTimeoutMs;

    LeaderOffsets(LeaderEndpoint leader, FetcherWaits waits, int localId, long requestTimeoutMs) {
        this.leader = leader;
        this.waits = waits;
        this.localId = localId;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    Recovery outOfRange(PlannedFetch planned) throws LeaderError, ExecutionException, TimeoutException,
            InterruptedException {
        PartitionLog log = planned.log();
        long logEnd = planned.fetchOffset();
        int epoch = planned.state().currentLeaderEpoch();
        if (planned.lastFetchedEpoch() >= 0) {
            OffsetForLeaderEpochResponseData.EpochEndOffset leaderEnd = epochEnd(planned.topicPartition(), epoch,
                    planned.lastFetchedEpoch());
            long target = FollowerTruncation.truncationOffset(leaderEnd.leaderEpoch(), leaderEnd.endOffset(),
                    log.endOffsetForEpoch(leaderEnd.leaderEpoch()), logEnd);
            if (target < logEnd) {
                return new Recovery(target, -1);
            }
        } else if (logEnd > log.logStartOffset()) {
            long leaderEnd = listOffset(planned.topicPartition(), epoch, ReplicaRequests.LATEST_TIMESTAMP);
            if (leaderEnd >= 0 && leaderEnd < logEnd) {
                return new Recovery(leaderEnd, -1);
            }
        }
        long leaderStart = listOffset(planned.topicPartition(), epoch, ReplicaRequests.EARLIEST_TIMESTAMP);
        if (leaderStart > logEnd) {
            return new Recovery(-1, leaderStart);
        }
        return Recovery.NONE;
    }

    private OffsetForLeaderEpochResponseData.EpochEndOffset epochEnd(TopicPartition partition, int currentEpoch,
            int epoch) throws LeaderError, ExecutionException, TimeoutException, InterruptedException {
        OffsetForLeaderEpochResponseData response = (OffsetForLeaderEpochResponseData) ask(
                ApiKey.OFFSET_FOR_LEADER_EPOCH,
                ReplicaRequests.offsetForLeaderEpoch(localId, partition, currentEpoch, epoch));
        for (OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topic : response.topics()) {
            for (OffsetForLeaderEpochResponseData.EpochEndOffset result : topic.partitions()) {
                if (topic.topic().equals(partition.topic()) && result.partition() == partition.partition()) {
                    if (result.errorCode() != Errors.NONE.code()) {
                        throw new LeaderError(Errors.forCode(result.errorCode()), "OffsetForLeaderEpoch of "
                                + partition);
                    }
                    return result;
                }
            }
        }
        throw new LeaderError(Errors.UNKNOWN_SERVER_ERROR, "OffsetForLeaderEpoch answered without " + partition);
    }

    private long listOffset(TopicPartition partition, int currentEpoch, long timestamp) throws LeaderError,
            ExecutionException, TimeoutException, InterruptedException {
        ListOffsetsResponseData response = (ListOffsetsResponseData) ask(ApiKey.LIST_OFFSETS,
                ReplicaRequests.listOffsets(localId, partition, currentEpoch, timestamp));
        for (ListOffsetsResponseData.ListOffsetsTopicResponse topic : response.topics()) {
            for (ListOffsetsResponseData.ListOffsetsPartitionResponse result : topic.partitions()) {
                if (topic.name().equals(partition.topic()) && result.partitionIndex() == partition.partition()) {
                    if (result.errorCode() != Errors.NONE.code()) {
                        throw new LeaderError(Errors.forCode(result.errorCode()), "ListOffsets of " + partition);
                    }
                    return result.offset();
                }
            }
        }
        throw new LeaderError(Errors.UNKNOWN_SERVER_ERROR, "ListOffsets answered without " + partition);
    }

    private ApiMessage ask(ApiKey api, ApiMessage request) throws ExecutionException, TimeoutException,
            InterruptedException {
        CompletableFuture<ApiMessage> answer = leader.send(api, version -> request);
        // The endpoint fails the request at its own timeout; this bound only guards against an endpoint that does not.
        // The waits run the endpoint's loop meanwhile when the calling fetcher's thread drives it.
        waits.awaitAnswer(answer, 2 * requestTimeoutMs);
        return answer.get(0, TimeUnit.MILLISECONDS); // TimeoutException when it is still unanswered
    }
}
