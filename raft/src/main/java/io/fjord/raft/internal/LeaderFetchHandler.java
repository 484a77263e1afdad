package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.FetchRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.LogEntry;
import io.fjord.raft.Role;
import java.util.List;

/**
 * A leader's side of fetching (KIP-595's pull model). A fetch proves the fetcher follows this epoch (check-quorum);
 * its offset and last fetched epoch either match the leader's log, which makes the offset the replica's position
 * (raising the high watermark), or reveal divergence, answered with the largest matching epoch and its end offset so
 * the replica truncates in one step per epoch (Kafka's fast log reconciliation). A fetch that finds nothing new is
 * held up to its wait time and answered when entries arrive or the high watermark passes the one it knows.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class LeaderFetchHandler {
    private final RaftCore core;

    LeaderFetchHandler(RaftCore core) {
        this.core = core;
    }

    void handle(FetchRequest request) {
        if (request.currentLeaderEpoch() > core.epoch) {
            respondError(request, Errors.UNKNOWN_LEADER_EPOCH);
            return;
        }
        if (core.role != Role.LEADER) {
            respondError(request, Errors.NOT_LEADER_OR_FOLLOWER);
            return;
        }
        if (request.currentLeaderEpoch() < core.epoch) {
            respondError(request, Errors.FENCED_LEADER_EPOCH);
            return;
        }
        if (request.fetchOffset() < 0 || request.lastFetchedEpoch() < 0 || request.maxBytes() <= 0
                || request.maxWaitMs() < 0 || request.replicaId() == core.config.nodeId()) {
            respondError(request, Errors.INVALID_REQUEST);
            return;
        }
        ReplicaProgress progress = core.leader.progress(request.replicaId(), core.nowMs);
        progress.lastFetchMs = core.nowMs;
        if (request.fetchOffset() > 0) {
            EpochEndOffset end = core.log.endOffsetForEpoch(request.lastFetchedEpoch());
            if (end.epoch() != request.lastFetchedEpoch() || end.endOffset() < request.fetchOffset()) {
                core.send(response(request, Errors.NONE, end, List.of()));
                return;
            }
        }
        progress.fetched(request.fetchOffset(), core.nowMs);
        if (core.leader.isVoter(request.replicaId())) {
            core.maybeAdvanceHighWatermark();
        }
        if (hasNews(request) || request.maxWaitMs() == 0) {
            answer(request);
        } else {
            long waitMs = Math.min(request.maxWaitMs(), core.config.fetchMaxWaitMs());
            core.leader.park(new ParkedFetch(request, core.nowMs + waitMs));
        }
    }

    private boolean hasNews(FetchRequest request) {
        return request.fetchOffset() < core.log.endOffset() || request.highWatermark() < core.highWatermark;
    }

    /** Answers the held fetches that now have entries or a newer high watermark to take. */
    void answerParked() {
        for (ParkedFetch fetch : core.leader.unpark(fetch -> hasNews(fetch.request()))) {
            answer(fetch.request());
        }
    }

    /** Answers the held fetches whose wait is over. */
    void answerExpired() {
        for (ParkedFetch fetch : core.leader.unpark(fetch -> fetch.deadlineMs() <= core.nowMs)) {
            answer(fetch.request());
        }
    }

    private void answer(FetchRequest request) {
        int maxBytes = Math.min(request.maxBytes(), core.config.fetchMaxBytes());
        List<LogEntry> entries = core.log.read(request.fetchOffset(), maxBytes);
        core.send(response(request, Errors.NONE, null, entries));
    }

    private void respondError(FetchRequest request, Errors error) {
        core.send(response(request, error, null, List.of()));
    }

    private FetchResponse response(FetchRequest request, Errors error, EpochEndOffset divergingEpoch,
            List<LogEntry> entries) {
        return new FetchResponse(core.config.nodeId(), request.source(), request.correlationId(), error,
                core.highWatermark, core.log.startOffset(), divergingEpoch,
                new LeaderAndEpoch(core.leaderId, core.epoch), entries);
    }
}
