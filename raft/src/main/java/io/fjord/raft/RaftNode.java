package io.fjord.raft;

import io.fjord.protocol.Errors;
import io.fjord.raft.internal.RaftCore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * One replica of a Raft quorum as a pure state machine, in the etcd-io/raft shape adapted to Kafka's KRaft
 * (KIP-595: followers pull with Fetch, epochs are terms, BeginQuorumEpoch and EndQuorumEpoch announce and resign
 * leaders; KIP-996 pre-vote; check-quorum).
 *
 * <p>Inputs: {@link #handle(RaftMessage)} for a received message, {@link #tick(long)} with the current time,
 * {@link #propose(List)} for new entries, {@link #onLogFlushed(long)} when the driver's log is durable up to an
 * offset. Outputs: {@link #ready()} returns everything to do since the last call (durable state to write first,
 * log changes, messages, the high watermark); see {@link Ready} for the order. There are no threads, no IO, no clock
 * and no randomness inside: time comes from {@code tick}, randomness (election timeouts) from the injected
 * {@link Random}, so a seed and a sequence of inputs always give the same outputs.
 *
 * <p>Restart: construct a new node from the durable state and the log the driver recovered (all of it flushed). The
 * high watermark is not durable; it starts at 0 and is learned again from the leader.
 *
 * <p>Not thread-safe: one thread owns a node and makes every call.
 */
public final class RaftNode {
    private final RaftConfig config;
    private final RaftCore core;

    public RaftNode(RaftConfig config, DurableState durableState, List<LogEntry> recoveredLog, Random random,
            long nowMs) {
        this.config = Objects.requireNonNull(config, "config");
        this.core = new RaftCore(config, durableState, recoveredLog, random, nowMs);
    }

    /** Takes a message received from another replica. */
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

    /**
     * On the leader, the offset each other voter has matched, by id (what DescribeQuorum reports); empty on other
     * roles. Read-only.
     */
    public Map<Integer, Long> voterMatchedOffsets() {
        return core.role() == Role.LEADER ? core.leaderState().voterMatchedOffsets() : Map.of();
    }

    /** On the leader, the offset each observer that fetched has matched, by id; empty on other roles. Read-only. */
    public Map<Integer, Long> observerMatchedOffsets() {
        return core.role() == Role.LEADER ? core.leaderState().observerMatchedOffsets() : Map.of();
    }

    /** The entry at {@code offset} of this node's log. */
    public LogEntry entry(long offset) {
        return core.log().entry(offset);
    }
}
