package io.fjord.raft;

import io.fjord.protocol.Errors;
import io.fjord.raft.internal.RaftCore;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/**
 * One replica of a Raft quorum as a pure state machine, in the etcd-io/raft shape adapted to Kafka's KRaft
 * (KIP-595: followers pull with Fetch, epochs are terms, BeginQuorumEpoch and EndQuorumEpoch announce and resign
 * leaders; KIP-996 pre-vote; check-quorum).
 *
 * <p>Inputs: {@link #handle(RaftMessage)} for a received message, {@link #tick(long)} with the current time,
 * {@link #propose(List)} for new entries, {@link #onLogFlushed(long)} when the driver's log is durable up to an
 * offset, {@link #onSnapshotCreated(OffsetAndEpoch)} when the state machine wrote a snapshot,
 * {@link #resign()} before a controlled shutdown, {@link #onStorageError(String)} when a write failed,
 * {@link #onPeerUnreachable(int)} when the transport lost a peer's connection. Outputs: {@link #ready()} returns everything to do since the last call (durable state to write first,
 * log changes, messages, the high watermark); see {@link Ready} for the order. There are no threads, no IO, no clock
 * and no randomness inside: time comes from {@code tick}, randomness (election timeouts) from the injected
 * {@link Random}, so a seed and a sequence of inputs always give the same outputs.
 *
 * <p>Restart: construct a new node from the durable state, the latest snapshot and the log after it that the driver
 * recovered (all of it flushed). The high watermark is not durable; it starts at the snapshot's end (or 0) and is
 * learned again from the leader.
 *
 * <p>Not thread-safe: one thread owns a node and makes every call.
 */
public final class RaftNode {
    private final RaftConfig config;
    private final RaftCore core;

    /** A replica without a directory id (it matches any voter key of its node id) and without snapshots. */
    public RaftNode(RaftConfig config, DurableState durableState, List<LogEntry> recoveredLog, Random random,
            long nowMs) {
        this(config, ReplicaKey.NO_DIRECTORY, durableState, null, recoveredLog, SnapshotReader.NONE, random, nowMs);
    }

    /**
     * A replica with log directory {@code directoryId}, restarting from its latest snapshot {@code latestSnapshotId}
     * (null if none; its voter set is read from its first bytes through {@code snapshots}) and the log after it
     * ({@code recoveredLog} starts at the snapshot's end offset, or at 0).
     */
    public RaftNode(RaftConfig config, UUID directoryId, DurableState durableState, OffsetAndEpoch latestSnapshotId,
            List<LogEntry> recoveredLog, SnapshotReader snapshots, Random random, long nowMs) {
        this.config = Objects.requireNonNull(config, "config");
        long start = latestSnapshotId == null ? 0 : latestSnapshotId.offset();
        if (!recoveredLog.isEmpty() && recoveredLog.get(0).offset() != start) {
            throw new IllegalArgumentException("the recovered log starts at " + recoveredLog.get(0).offset()
                    + ", not at the snapshot's end " + start);
        }
        this.core = new RaftCore(config, Objects.requireNonNull(directoryId, "directoryId"), durableState,
                latestSnapshotId, recoveredLog, Objects.requireNonNull(snapshots, "snapshots"), random, nowMs);
    }

    /** Takes a message received from another replica (or an AddRaftVoter/RemoveRaftVoter from an admin client). */
    public void handle(RaftMessage message) {
        core.handle(message);
    }

    /** Moves the node's time to {@code nowMs} (never backwards) and runs what is due: timeouts, retries, expiries. */
    public void tick(long nowMs) {
        core.tick(nowMs);
    }

    /**
     * Appends {@code payloads} as entries of the current epoch if this node leads it. The entries are committed when
     * the high watermark passes {@code lastOffset}.
     */
    public ProposeResult propose(List<byte[]> payloads) {
        if (core.isFailed()) {
            return ProposeResult.refused(Errors.KAFKA_STORAGE_ERROR, core.epoch(), -1);
        }
        if (core.role() != Role.LEADER) {
            return ProposeResult.refused(Errors.NOT_LEADER_OR_FOLLOWER, core.epoch(), core.leaderId());
        }
        if (payloads.isEmpty() || payloads.size() > config.maxProposalEntries()) {
            return ProposeResult.refused(Errors.INVALID_REQUEST, core.epoch(), core.leaderId());
        }
        for (byte[] payload : payloads) {
            if (payload.length > config.maxEntryBytes()) {
                return ProposeResult.refused(Errors.MESSAGE_TOO_LARGE, core.epoch(), core.leaderId());
            }
        }
        long firstOffset = core.propose(payloads);
        return new ProposeResult(Errors.NONE, core.epoch(), firstOffset, firstOffset + payloads.size() - 1,
                config.nodeId());
    }

    /** The driver's log is durable below {@code endOffset} (as it stands now, after every Ready applied). */
    public void onLogFlushed(long endOffset) {
        core.onLogFlushed(endOffset);
    }

    /**
     * The state machine holds a snapshot of the committed entries below {@code snapshotId.offset()} ({@code epoch}
     * is the epoch of the entry before that offset), durable in the driver's storage and starting with
     * {@link #votersAt(long) votersAt(offset)}{@code .encode()}: the log may now start there (a Ready's
     * {@code logStartOffset}), and a replica that needs older entries gets this snapshot, read through the node's
     * {@link SnapshotReader}. Call it between Readies (after the previous one was applied). Returns false if the log starts there or later already.
     *
     * @throws IllegalArgumentException if the offset is above the high watermark or the epoch is not the log's
     */
    public boolean onSnapshotCreated(OffsetAndEpoch snapshotId) {
        return core.onSnapshotCreated(snapshotId);
    }

    /**
     * Controlled shutdown (Kafka's way): a leader resigns its epoch and sends EndQuorumEpoch naming the other
     * voters, the most caught up first; they start an election after a back-off growing with their place in that
     * list, so the most caught up one most likely leads next. Returns false (and does nothing) if not the leader.
     */
    public boolean resign() {
        if (core.isFailed() || core.role() != Role.LEADER) {
            return false;
        }
        core.resign();
        return true;
    }

    /**
     * The transport's connection to replica {@code peerId} was refused or closed — what a transport learns within
     * milliseconds when a process dies, long before a fetch timeout. A follower whose leader that is gives it up
     * after a short random delay (below {@code electionBackoffMaxMs / voters}) instead of {@code fetchTimeoutMs},
     * and meanwhile grants pre-votes (it no longer hears from a leader). Safe against a mistaken notice: the
     * replica only starts a pre-vote, which the voters that still hear from the leader refuse, naming it, and the
     * replica follows it again; nothing durable changes. Anything else (another peer, another role) is ignored.
     */
    public void onPeerUnreachable(int peerId) {
        core.onPeerUnreachable(peerId);
    }

    /**
     * A storage write the driver made for this node failed (a log append or flush, the durable state, a snapshot):
     * the node stops at once and for good — no votes, no fetches, no acknowledgements, no commits, nothing from
     * {@link #ready()} — since it cannot know what survived. The driver restarts it from what storage recovers.
     */
    public void onStorageError(String reason) {
        core.onStorageError();
    }

    /** Whether a storage error stopped this node. */
    public boolean isFailed() {
        return core.isFailed();
    }

    /** Whether {@link #ready()} has anything. */
    public boolean hasReady() {
        return core.outbox().hasReady();
    }

    /** Everything to do since the previous call; see {@link Ready} for the order. */
    public Ready ready() {
        return core.outbox().drain(core.log().endOffset());
    }

    public int nodeId() {
        return config.nodeId();
    }

    public Role role() {
        return core.role();
    }

    public int epoch() {
        return core.epoch();
    }

    /** The leader of the current epoch as far as this node knows, -1 if none. */
    public int leaderId() {
        return core.leaderId();
    }

    /** Entries below this offset are committed (a quorum has them flushed). */
    public long highWatermark() {
        return core.highWatermark();
    }

    public long logEndOffset() {
        return core.log().endOffset();
    }

    public long flushedEndOffset() {
        return core.log().flushedEndOffset();
    }

    /** The first offset of this node's log (the end of its latest snapshot, or 0). */
    public long logStartOffset() {
        return core.log().startOffset();
    }

    /** The latest snapshot this node has (created or fetched), null if none. */
    public OffsetAndEpoch latestSnapshotId() {
        return core.latestSnapshot();
    }

    /** The voter set in force: the latest one in this node's log, committed or not (KIP-853). */
    public VoterSet voters() {
        return core.log().voters();
    }

    /** The voter set in force for the entries from {@code offset} on (what a snapshot ending there must start with). */
    public VoterSet votersAt(long offset) {
        return core.log().votersAt(offset);
    }

    /**
     * The quorum's {@code kraft.version} as this node's log has it (KIP-853): 1 once the voter set in force carries
     * directory ids, 0 for the ids-only voters of {@code controller.quorum.voters}.
     */
    public short kraftVersion() {
        return core.kraftVersion();
    }

    /**
     * Kafka's {@code upgradeKRaftVersion} on the leader: validates (and unless {@code validateOnly} appends, as a
     * VOTERS entry holding every voter's directory id and endpoints) the upgrade of {@code kraft.version} to
     * {@code level}. The upgrade is done when the high watermark passes the returned offset.
     */
    public KraftVersionUpgrade upgradeKraftVersion(short level, boolean validateOnly) {
        return core.upgradeKraftVersion(level, validateOnly);
    }

    /** Whether this node is in its voter set (else it observes). */
    public boolean isVoter() {
        return core.localIsVoter();
    }

    /**
     * On the leader, what it knows of each other voter (DescribeQuorum's voters but itself), by id; empty on other
     * roles. Times are on this node's clock ({@link #tick(long)}).
     */
    public List<ReplicaState> voterStates() {
        return core.role() == Role.LEADER ? core.leaderState().voterStates() : List.of();
    }

    /**
     * On the leader, what it knows of each observer that fetched in its epoch in the last 5 minutes (Kafka's observer
     * session), by id; empty on other roles.
     */
    public List<ReplicaState> observerStates() {
        return core.role() == Role.LEADER ? core.leaderState().observerStates(core.nowMs()) : List.of();
    }

    /** The entry at {@code offset} of this node's log. */
    public LogEntry entry(long offset) {
        return core.log().entry(offset);
    }
}
