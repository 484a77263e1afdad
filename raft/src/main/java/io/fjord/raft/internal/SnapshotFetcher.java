package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.FetchSnapshotRequest;
import io.fjord.raft.FetchSnapshotResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.Role;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.VoterSet;
import java.io.ByteArrayOutputStream;

/**
 * A follower's fetching of the leader's snapshot (KIP-630), after a fetch answered with a snapshot id: one
 * FetchSnapshot in flight, each chunk handed to the driver ({@link io.fjord.raft.Ready#snapshotChunks()}) and the
 * position moved on; when the last byte arrived, the snapshot is installed (the log restarts at its end, with the
 * voter set its first bytes hold). An error answer (the leader replaced the snapshot, or lost its leadership) or a
 * malformed one abandons it: the next fetch finds what to do.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class SnapshotFetcher {
    private final RaftCore core;
    private OffsetAndEpoch snapshotId;
    private long position;
    private long size = -1;
    /** The snapshot's first bytes, until they hold its voter set. */
    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private int inFlightCorrelationId;
    private long inFlightSentMs = -1;

    SnapshotFetcher(RaftCore core) {
        this.core = core;
    }

    boolean isActive() {
        return snapshotId != null;
    }

    void start(OffsetAndEpoch id) {
        reset();
        snapshotId = id;
        maybeSend();
    }

    void reset() {
        snapshotId = null;
        position = 0;
        size = -1;
        header.reset();
        inFlightSentMs = -1;
    }

    void tick() {
        long expiryMs = Math.min(core.config.requestTimeoutMs(), core.config.fetchTimeoutMs() / 2);
        if (inFlightSentMs >= 0 && core.nowMs - inFlightSentMs >= expiryMs) {
            inFlightSentMs = -1;
        }
        maybeSend();
    }

    private void maybeSend() {
        if (snapshotId == null || inFlightSentMs >= 0 || core.role != Role.FOLLOWER) {
            return;
        }
        inFlightCorrelationId = core.nextCorrelationId();
        inFlightSentMs = core.nowMs;
        core.send(new FetchSnapshotRequest(core.config.nodeId(), core.leaderId, inFlightCorrelationId,
                core.config.nodeId(), core.epoch, snapshotId, position, core.config.fetchMaxBytes()));
    }

    void handleResponse(FetchSnapshotResponse response) {
        LeaderAndEpoch leader = response.currentLeader();
        boolean answersInFlight = snapshotId != null && inFlightSentMs >= 0
                && response.correlationId() == inFlightCorrelationId && response.source() == core.leaderId;
        if (core.learnEpoch(leader.leaderEpoch(), leader.leaderId()) || !answersInFlight) {
            return;
        }
        inFlightSentMs = -1;
        if (response.error() != Errors.NONE) {
            abandon();
            return;
        }
        core.fetcher.heardFromLeaderItself();
        byte[] bytes = response.unalignedRecords();
        if (!snapshotId.equals(response.snapshotId()) || response.position() != position || bytes.length == 0
                || response.size() <= 0 || (size >= 0 && response.size() != size)
                || position + bytes.length > response.size()) {
            abandon();
            return;
        }
        size = response.size();
        keepHeader(bytes);
        core.outbox.snapshotChunk(new SnapshotChunk(snapshotId, position, bytes.clone()));
        position += bytes.length;
        if (position < size) {
            maybeSend();
            return;
        }
        OffsetAndEpoch complete = snapshotId;
        VoterSet voters = VoterSet.decode(header.toByteArray()).orElse(null);
        reset();
        if (voters == null) {
            core.fetcher.backOff(core.config.requestTimeoutMs()); // a snapshot without a voter set: corrupt
            return;
        }
        core.installSnapshot(complete, voters);
        core.fetcher.maybeSendFetch();
    }

    /** Keeps the first bytes, as many as the largest voter set takes (decoding ignores what follows it). */
    private void keepHeader(byte[] bytes) {
        int room = VoterSet.MAX_ENCODED_BYTES - header.size();
        header.write(bytes, 0, Math.max(0, Math.min(room, bytes.length)));
    }

    private void abandon() {
        reset();
        core.fetcher.backOff(Math.min(core.config.requestTimeoutMs(), 50));
        core.fetcher.maybeSendFetch();
    }
}
