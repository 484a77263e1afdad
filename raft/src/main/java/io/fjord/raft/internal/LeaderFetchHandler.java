package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.FetchRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.FetchSnapshotRequest;
import io.fjord.raft.FetchSnapshotResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.Role;
import java.util.List;

/**
 * A leader's side of fetching (KIP-595's pull model). A fetch proves the fetcher follows this epoch (check-quorum);
 * its offset and last fetched epoch either match the leader's log, which makes the offset the replica's position
 * (raising the high watermark), or reveal divergence, answered with the largest matching epoch and its end offset so
 * the replica truncates in one step per epoch (Kafka's fast log reconciliation). A fetch that finds nothing new is
 * held up to its wait time and answered when entries arrive or the high watermark passes the one it knows. A fetch
 * that needs entries a snapshot replaced (its offset is below the log start, or it diverges below it) is answered
 * with the snapshot's id (KIP-630), which the replica then fetches in chunks with FetchSnapshot, also served here.
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
        progress.directoryId = request.replicaDirectoryId();
        if (request.fetchOffset() < core.log.startOffset()) {
            core.send(snapshotResponse(request));
            return;
        }
        if (request.fetchOffset() > 0) {
            EpochEndOffset end = core.log.endOffsetForEpoch(request.lastFetchedEpoch());
            if (end.endOffset() < core.log.startOffset()) {
                core.send(snapshotResponse(request));
                return;
            }
            if (end.epoch() != request.lastFetchedEpoch() || end.endOffset() < request.fetchOffset()) {
                core.send(response(request, Errors.NONE, end, List.of()));
                return;
            }
        }
        progress.fetched(request.fetchOffset(), core.nowMs, core.log.endOffset());
        if (core.leader.isVoter(new ReplicaKey(request.replicaId(), request.replicaDirectoryId()))) {
            core.maybeAdvanceHighWatermark();
            if (core.role != Role.LEADER) {
                // The commit of this leader's own removal made it resign: the fetcher learns so from the next fetch.
                respondError(request, Errors.NOT_LEADER_OR_FOLLOWER);
                return;
            }
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
                new LeaderAndEpoch(core.leaderId, core.epoch), entries, null);
    }

    private FetchResponse snapshotResponse(FetchRequest request) {
        Invariants.check(core.latestSnapshot != null && core.latestSnapshot.offset() == core.log.startOffset(),
                "log start %d without a snapshot ending there (%s)", core.log.startOffset(), core.latestSnapshot);
        return new FetchResponse(core.config.nodeId(), request.source(), request.correlationId(), Errors.NONE,
                core.highWatermark, core.log.startOffset(), null, new LeaderAndEpoch(core.leaderId, core.epoch),
                List.of(), core.latestSnapshot);
    }

    /** FetchSnapshot: a chunk of the snapshot asked for, from the driver's storage. */
    void handleSnapshot(FetchSnapshotRequest request) {
        Errors error = Errors.NONE;
        if (request.currentLeaderEpoch() > core.epoch) {
            error = Errors.UNKNOWN_LEADER_EPOCH;
        } else if (core.role != Role.LEADER) {
            error = Errors.NOT_LEADER_OR_FOLLOWER;
        } else if (request.currentLeaderEpoch() < core.epoch) {
            error = Errors.FENCED_LEADER_EPOCH;
        } else if (request.snapshotId() == null || request.maxBytes() <= 0
                || request.replicaId() == core.config.nodeId()) {
            error = Errors.INVALID_REQUEST;
        }
        if (error != Errors.NONE) {
            respondSnapshot(request, error, -1, new byte[0]);
            return;
        }
        // Fetching a snapshot is following this leader, as a fetch is (check-quorum).
        core.leader.progress(request.replicaId(), core.nowMs).lastFetchMs = core.nowMs;
        long size = core.snapshots.sizeInBytes(request.snapshotId());
        if (size < 0) {
            respondSnapshot(request, Errors.SNAPSHOT_NOT_FOUND, -1, new byte[0]);
        } else if (request.position() < 0 || request.position() >= size) {
            respondSnapshot(request, Errors.POSITION_OUT_OF_RANGE, size, new byte[0]);
        } else {
            int maxBytes = (int) Math.min(Math.min(request.maxBytes(), core.config.fetchMaxBytes()),
                    size - request.position());
            byte[] bytes = core.snapshots.read(request.snapshotId(), request.position(), maxBytes);
            Invariants.check(bytes.length > 0 && bytes.length <= maxBytes, "snapshot read of %d bytes returned %d",
                    maxBytes, bytes.length);
            respondSnapshot(request, Errors.NONE, size, bytes);
        }
    }

    private void respondSnapshot(FetchSnapshotRequest request, Errors error, long size, byte[] bytes) {
        OffsetAndEpoch snapshotId = request.snapshotId() == null ? new OffsetAndEpoch(-1, -1) : request.snapshotId();
        core.send(new FetchSnapshotResponse(core.config.nodeId(), request.source(), request.correlationId(), error,
                snapshotId, new LeaderAndEpoch(core.leaderId, core.epoch), size, request.position(), bytes));
    }
}
