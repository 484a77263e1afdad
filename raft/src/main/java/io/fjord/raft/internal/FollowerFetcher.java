package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.EntryType;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.FetchRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.Role;
import io.fjord.raft.VoterSet;
import java.util.List;

/**
 * A follower's (or observer's) side of fetching: one fetch in flight at a time, sent only when every appended entry
 * is flushed (the fetch offset is the replica's acknowledgement); the answer is appended, or the log truncated where
 * the leader says it diverges; the high watermark becomes the leader's, capped by what this fetch proved matches.
 * An observer without a leader asks the voters in turn and follows the leader they name. A response naming a snapshot
 * hands over to the {@link SnapshotFetcher} until the snapshot is installed.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class FollowerFetcher {
    /** No one to fetch from (bootstrap servers have negative ids, so -1 will not do). */
    private static final int NO_TARGET = Integer.MIN_VALUE;
    private final RaftCore core;
    /** When the leader last answered (or announced itself); its silence for a fetch timeout ends the epoch's lead. */
    long leaderContactMs;
    /**
     * When the leader itself was last heard from (a fetch or snapshot answer, a BeginQuorumEpoch). Unlike
     * {@link #leaderContactMs} it does not count becoming a follower on another replica's word: a replica refuses
     * pre-votes only while it really hears from its leader (KIP-996), so two followers of a dead leader cannot keep
     * sending each other back to it.
     */
    long leaderHeardMs = Long.MIN_VALUE / 2;
    /**
     * The transport said the connection to the leader was refused or closed (its process most likely died): the
     * replica stops counting itself as hearing from a leader (it grants pre-votes) and gives up on it at
     * {@link #unreachableDeadlineMs}, well before a fetch timeout. Cleared by any word from the leader.
     */
    boolean leaderUnreachable;
    long unreachableDeadlineMs;
    private InFlight inFlight;
    private long nextFetchAllowedMs;
    private int discoveryIndex;

    private record InFlight(int correlationId, int destination, long fetchOffset, long sentMs) {
    }

    FollowerFetcher(RaftCore core) {
        this.core = core;
    }

    /** The leader answered or announced itself: it is alive and reachable. */
    void heardFromLeader() {
        leaderContactMs = core.nowMs;
        leaderUnreachable = false;
    }

    /** The leader itself answered or announced itself (not just another replica's word about it). */
    void heardFromLeaderItself() {
        heardFromLeader();
        leaderHeardMs = core.nowMs;
    }

    /** Whether this replica should give up on its leader now: silent for a fetch timeout, or unreachable. */
    boolean leaderLost() {
        return core.nowMs - leaderContactMs >= core.config.fetchTimeoutMs()
                || (leaderUnreachable && core.nowMs >= unreachableDeadlineMs);
    }

    /**
     * The transport cannot reach {@code peerId}. If it is this follower's leader, the fetch in flight is lost with
     * the connection (sent again at once) and the leader is given up after a random time below
     * {@code electionBackoffMaxMs / voters}, so that the voters left do not all stand at the same moment.
     */
    void peerUnreachable(int peerId) {
        if (core.role == Role.UNATTACHED && inFlight != null && inFlight.destination() == peerId) {
            // An observer looking for the leader: ask the next voter or bootstrap server rather than wait.
            inFlight = null;
            discoveryIndex++;
            backOff(Math.min(core.config.requestTimeoutMs(), 50));
            return;
        }
        if (core.role != Role.FOLLOWER || peerId != core.leaderId || leaderUnreachable) {
            return;
        }
        leaderUnreachable = true;
        int spreadMs = Math.max(1, core.config.electionBackoffMaxMs() / Math.max(1, core.log.voters().size()));
        unreachableDeadlineMs = core.nowMs + core.randomBelow(spreadMs);
        if (inFlight != null && inFlight.destination() == peerId) {
            inFlight = null;
        }
    }

    /** Forgets the fetch in flight (a role change makes its answer meaningless). */
    void reset() {
        inFlight = null;
        nextFetchAllowedMs = 0;
        core.snapshotFetcher.reset();
    }

    /** Not before {@code delayMs} from now (an error answer: do not hammer a replica that cannot serve). */
    void backOff(long delayMs) {
        nextFetchAllowedMs = core.nowMs + delayMs;
    }

    void tick() {
        if (core.snapshotFetcher.isActive()) {
            core.snapshotFetcher.tick();
            return;
        }
        // A lost fetch must be retried before the fetch timeout would make this follower give up on its leader.
        long expiryMs = Math.min(core.config.requestTimeoutMs() + core.config.fetchMaxWaitMs(),
                core.config.fetchTimeoutMs() / 2);
        if (inFlight != null && core.nowMs - inFlight.sentMs() >= expiryMs) {
            inFlight = null;
            discoveryIndex++;
        }
        maybeSendFetch();
    }

    void maybeSendFetch() {
        int target = target();
        if (target == NO_TARGET || inFlight != null || core.nowMs < nextFetchAllowedMs
                || core.log.flushedEndOffset() < core.log.endOffset() || core.snapshotFetcher.isActive()) {
            return;
        }
        long fetchOffset = core.log.endOffset();
        int correlationId = core.nextCorrelationId();
        inFlight = new InFlight(correlationId, target, fetchOffset, core.nowMs);
        core.send(new FetchRequest(core.config.nodeId(), target, correlationId, core.config.nodeId(), core.epoch,
                fetchOffset, core.log.lastEpoch(), core.highWatermark, core.config.fetchMaxBytes(),
                core.config.fetchMaxWaitMs(), core.localKey.directoryId()));
    }

    private int target() {
        if (core.role == Role.FOLLOWER) {
            return core.leaderId;
        }
        if (core.role == Role.UNATTACHED && !core.isVoter()) {
            List<Integer> targets = core.discoveryTargets(); // an observer's "others" are all the voters
            return targets.isEmpty() ? NO_TARGET : targets.get(Math.floorMod(discoveryIndex, targets.size()));
        }
        return NO_TARGET;
    }

    void handleResponse(FetchResponse response) {
        if (inFlight == null || response.correlationId() != inFlight.correlationId()
                || response.source() != inFlight.destination()) {
            LeaderAndEpoch leader = response.currentLeader();
            core.learnEpoch(leader.leaderEpoch(), leader.leaderId());
            return;
        }
        InFlight request = inFlight;
        inFlight = null;
        LeaderAndEpoch leader = response.currentLeader();
        if (core.learnEpoch(leader.leaderEpoch(), leader.leaderId())) {
            return;
        }
        if (core.role == Role.UNATTACHED && !core.isVoter() && leader.leaderEpoch() == core.epoch
                && leader.leaderId() >= 0 && leader.leaderId() != core.config.nodeId()) {
            // Found the leader: its own fetch (sent on becoming a follower) brings the entries.
            core.becomeFollower(core.epoch, leader.leaderId());
            return;
        }
        if (response.error() == Errors.NOT_LEADER_OR_FOLLOWER && core.role == Role.FOLLOWER
                && response.source() == core.leaderId && leader.leaderEpoch() == core.epoch
                && leader.leaderId() != core.leaderId) {
            // The leader says it does not lead this epoch (it restarted, or resigned): no point waiting for it.
            core.becomeUnattached(core.epoch, Long.MAX_VALUE);
            return;
        }
        if (response.error() != Errors.NONE || core.role != Role.FOLLOWER || response.source() != core.leaderId) {
            discoveryIndex++;
            backOff(Math.min(core.config.requestTimeoutMs(), 50));
            return;
        }
        heardFromLeaderItself();
        if (core.log.endOffset() != request.fetchOffset()) {
            maybeSendFetch();
            return;
        }
        if (response.snapshotId() != null) {
            OffsetAndEpoch snapshotId = response.snapshotId();
            // Only a snapshot ahead of what this replica has committed helps; anything else is bad input, dropped.
            if (snapshotId.offset() > core.highWatermark && snapshotId.epoch() >= 0
                    && snapshotId.epoch() <= core.epoch) {
                core.snapshotFetcher.start(snapshotId);
                return;
            }
        } else if (response.divergingEpoch() != null) {
            if (response.divergingEpoch().epoch() < 0 || response.divergingEpoch().endOffset() < 0) {
                return; // malformed: drop it, the fetch timeout sends another fetch
            }
            truncateDivergence(response.divergingEpoch());
        } else if (isContinuation(response.records(), request.fetchOffset())) {
            core.appendAsFollower(response.records());
            long proven = request.fetchOffset() + response.records().size();
            core.raiseHighWatermark(Math.min(response.highWatermark(), proven));
        }
        maybeSendFetch();
    }

    private void truncateDivergence(EpochEndOffset diverging) {
        EpochEndOffset ours = core.log.endOffsetForEpoch(diverging.epoch());
        // Never below the log start: what a snapshot covers is committed, and the leader has it too.
        long offset = Math.max(core.log.startOffset(), Math.min(diverging.endOffset(), ours.endOffset()));
        if (offset < core.log.endOffset()) {
            core.truncate(offset);
        }
    }

    /** Whether {@code entries} continue the log at {@code fromOffset} within the current epoch (bad input is dropped). */
    private boolean isContinuation(List<LogEntry> entries, long fromOffset) {
        int previousEpoch = core.log.lastEpoch();
        long expected = fromOffset;
        for (LogEntry entry : entries) {
            if (entry.offset() != expected || entry.epoch() < previousEpoch || entry.epoch() > core.epoch
                    || (entry.type() == EntryType.VOTERS
                    && VoterSet.decode(entry.payload()).filter(set -> !set.isEmpty()).isEmpty())) {
                return false;
            }
            previousEpoch = entry.epoch();
            expected++;
        }
        return true;
    }
}
