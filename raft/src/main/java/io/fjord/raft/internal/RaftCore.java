package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.BeginQuorumEpochRequest;
import io.fjord.raft.BeginQuorumEpochResponse;
import io.fjord.raft.DurableState;
import io.fjord.raft.EndQuorumEpochRequest;
import io.fjord.raft.EndQuorumEpochResponse;
import io.fjord.raft.EntryType;
import io.fjord.raft.FetchRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.FetchSnapshotRequest;
import io.fjord.raft.FetchSnapshotResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.LogEntry;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.VoteResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/**
 * The state of one replica and its role transitions; the message handlers ({@link VoteHandler},
 * {@link QuorumEpochHandler}, {@link LeaderFetchHandler}, {@link FollowerFetcher}) act on it. Time comes only from
 * {@link #tick(long)} and randomness only from the injected {@link Random}, so equal inputs give equal outputs.
 *
 * <p>Not thread-safe: one thread owns a core.
 */
public final class RaftCore {
    final RaftConfig config;
    final RaftLog log;
    final Outbox outbox;
    private final Random random;
    private final List<Integer> otherVoters;

    long nowMs;
    int epoch;
    int votedId;
    int leaderId = -1;
    Role role = Role.UNATTACHED;
    long highWatermark;
    /** When an unattached, prospective, candidate or resigned voter starts the next election. */
    long electionDeadlineMs;
    LeaderState leader;
    ElectionState election;
    private int nextCorrelationId;

    final VoteHandler votes;
    final QuorumEpochHandler quorumEpochs;
    final LeaderFetchHandler leaderFetches;
    final FollowerFetcher fetcher;

    public RaftCore(RaftConfig config, DurableState durableState, List<LogEntry> recoveredLog, Random random,
            long nowMs) {
        this.config = config;
        this.random = random;
        this.log = new RaftLog(recoveredLog);
        this.outbox = new Outbox(log.endOffset());
        this.otherVoters = config.voterIds().stream().filter(id -> id != config.nodeId()).sorted().toList();
        this.nowMs = nowMs;
        this.epoch = durableState.epoch();
        this.votedId = durableState.votedId();
        Invariants.check(log.lastEpoch() <= epoch, "log epoch %d above durable epoch %d", log.lastEpoch(), epoch);
        // Correlation ids start at a random point so a response meant for an earlier incarnation rarely matches.
        this.nextCorrelationId = random.nextInt(Integer.MAX_VALUE / 2);
        this.votes = new VoteHandler(this);
        this.quorumEpochs = new QuorumEpochHandler(this);
        this.leaderFetches = new LeaderFetchHandler(this);
        this.fetcher = new FollowerFetcher(this);
        electionDeadlineMs = nowMs + randomElectionTimeoutMs();
        outbox.roleChanged(new RoleChange(role, epoch, leaderId));
        if (config.isVoter() && otherVoters.isEmpty()) {
            becomeProspective();
        } else if (!config.isVoter()) {
            fetcher.maybeSendFetch();
        }
    }

    // ---- inputs ----

    public void handle(RaftMessage message) {
        Invariants.check(message.destination() == config.nodeId(), "message for %d delivered to %d",
                message.destination(), config.nodeId());
        if (message instanceof VoteRequest request) {
            votes.handleRequest(request);
        } else if (message instanceof VoteResponse response) {
            votes.handleResponse(response);
        } else if (message instanceof BeginQuorumEpochRequest request) {
            quorumEpochs.handleBegin(request);
        } else if (message instanceof BeginQuorumEpochResponse response) {
            learnEpoch(response.leaderEpoch(), response.leaderId());
        } else if (message instanceof EndQuorumEpochRequest request) {
            quorumEpochs.handleEnd(request);
        } else if (message instanceof EndQuorumEpochResponse response) {
            if (!learnEpoch(response.leaderEpoch(), response.leaderId()) && role == Role.RESIGNED) {
                quorumEpochs.resignationAnswered(response);
            }
        } else if (message instanceof FetchRequest request) {
            leaderFetches.handle(request);
        } else if (message instanceof FetchResponse response) {
            fetcher.handleResponse(response);
        } else if (message instanceof FetchSnapshotRequest request) {
            // Snapshots come in a later step; until then no replica is ever sent to fetch one.
            send(new FetchSnapshotResponse(config.nodeId(), request.source(), request.correlationId(),
                    Errors.SNAPSHOT_NOT_FOUND, request.snapshotId(), new LeaderAndEpoch(leaderId, epoch), -1,
                    request.position(), new byte[0]));
        } else if (message instanceof FetchSnapshotResponse response) {
            learnEpoch(response.currentLeader().leaderEpoch(), response.currentLeader().leaderId());
        }
    }

    public void tick(long now) {
        Invariants.check(now >= nowMs, "time went back from %d to %d", nowMs, now);
        nowMs = now;
        switch (role) {
            case LEADER -> tickLeader();
            case FOLLOWER -> {
                if (nowMs - fetcher.leaderContactMs >= config.fetchTimeoutMs()) {
                    // Lost the leader: voters try to elect one, observers look for one.
                    if (config.isVoter()) {
                        becomeProspective();
                    } else {
                        becomeUnattached(epoch, Long.MAX_VALUE);
                    }
                } else {
                    fetcher.tick();
                }
            }
            case UNATTACHED, RESIGNED -> {
                if (config.isVoter() && nowMs >= electionDeadlineMs) {
                    becomeProspective();
                } else if (role == Role.RESIGNED) {
                    quorumEpochs.remindOfResignation();
                } else {
                    fetcher.tick();
                }
            }
            case PROSPECTIVE, CANDIDATE -> {
                if (nowMs >= electionDeadlineMs) {
                    becomeProspective();
                } else {
                    votes.askSilentVoters();
                }
            }
            default -> throw new IllegalStateException("unknown role " + role);
        }
    }

    private void tickLeader() {
        if (!leader.hasMajorityContact(nowMs, config.checkQuorumTimeoutMs())) {
            resign();
            return;
        }
        leaderFetches.answerExpired();
        long silenceMs = Math.min(config.requestTimeoutMs(), config.fetchTimeoutMs() / 2);
        for (int voter : leader.votersToRemind(nowMs, silenceMs)) {
            send(new BeginQuorumEpochRequest(config.nodeId(), voter, nextCorrelationId(), config.nodeId(), epoch));
        }
    }

    /** Appends {@code payloads} as entries of this leader's epoch; returns the offset of the first. */
    public long propose(List<byte[]> payloads) {
        Invariants.check(role == Role.LEADER, "proposal to a %s", role);
        long first = log.endOffset();
        for (byte[] payload : payloads) {
            appendAsLeader(EntryType.DATA, payload.clone());
        }
        leaderFetches.answerParked();
        return first;
    }

    public void onLogFlushed(long endOffset) {
        log.markFlushed(endOffset);
        if (role == Role.LEADER) {
            maybeAdvanceHighWatermark();
        } else {
            fetcher.maybeSendFetch();
        }
    }

    // ---- transitions ----

    /** Moves to {@code newEpoch} (if higher) without a leader; the next election starts at {@code deadlineMs}. */
    void becomeUnattached(int newEpoch, long deadlineMs) {
        enterEpoch(newEpoch);
        leaderId = -1;
        electionDeadlineMs = deadlineMs == Long.MAX_VALUE ? nowMs + randomElectionTimeoutMs() : deadlineMs;
        changeRole(Role.UNATTACHED);
        if (!config.isVoter()) {
            fetcher.maybeSendFetch();
        }
    }

    /** Grants this epoch's vote to {@code candidateId} (made durable before the answer leaves). */
    void voteFor(int candidateId) {
        Invariants.check(votedId == DurableState.NO_VOTE || votedId == candidateId, "second vote in epoch %d",
                epoch);
        votedId = candidateId;
        persist();
        leaderId = -1;
        electionDeadlineMs = nowMs + randomElectionTimeoutMs();
        changeRole(Role.UNATTACHED);
    }

    void becomeFollower(int newEpoch, int newLeaderId) {
        Invariants.check(newLeaderId != config.nodeId(), "following itself in epoch %d", newEpoch);
        Invariants.check(!(role == Role.LEADER && newEpoch == epoch), "two leaders in epoch %d", epoch);
        enterEpoch(newEpoch);
        leaderId = newLeaderId;
        changeRole(Role.FOLLOWER);
        fetcher.leaderContactMs = nowMs;
        fetcher.maybeSendFetch();
    }

    void becomeProspective() {
        Invariants.check(config.isVoter(), "an observer may not stand for election");
        leaderId = -1;
        electionDeadlineMs = nowMs + randomElectionTimeoutMs();
        changeRole(Role.PROSPECTIVE);
        election = new ElectionState(true, config.majority(), config.nodeId());
        votes.askAll();
        if (election.isWon()) {
            becomeCandidate();
        }
    }

    void becomeCandidate() {
        enterEpoch(epoch + 1);
        votedId = config.nodeId();
        persist();
        leaderId = -1;
        electionDeadlineMs = nowMs + randomElectionTimeoutMs();
        changeRole(Role.CANDIDATE);
        election = new ElectionState(false, config.majority(), config.nodeId());
        votes.askAll();
        if (election.isWon()) {
            becomeLeader();
        }
    }

    void becomeLeader() {
        Invariants.check(role == Role.CANDIDATE && votedId == config.nodeId(), "leader without winning epoch %d",
                epoch);
        leaderId = config.nodeId();
        changeRole(Role.LEADER);
        leader = new LeaderState(epoch, log.endOffset(), config.majority(), otherVoters, nowMs);
        // Every epoch starts with an entry of its own: committing it commits everything before it (Raft's no-op).
        appendAsLeader(EntryType.LEADER_CHANGE, ByteBuffer.allocate(4).putInt(0, config.nodeId()).array());
        for (int voter : otherVoters) {
            send(new BeginQuorumEpochRequest(config.nodeId(), voter, nextCorrelationId(), config.nodeId(), epoch));
        }
        maybeAdvanceHighWatermark();
    }

    /** Check-quorum failed: give up leadership and ask the others to elect a successor now. */
    void resign() {
        List<Integer> successors = leader.votersByMatchedOffset();
        leaderId = -1;
        electionDeadlineMs = nowMs + randomElectionTimeoutMs();
        changeRole(Role.RESIGNED);
        quorumEpochs.announceResignation(successors);
    }

    /**
     * Moves to a higher epoch that a message revealed, following its leader if it names one. Returns whether the
     * epoch changed.
     */
    boolean learnEpoch(int otherEpoch, int otherLeaderId) {
        if (otherEpoch <= epoch) {
            return false;
        }
        if (otherLeaderId >= 0 && otherLeaderId != config.nodeId()) {
            becomeFollower(otherEpoch, otherLeaderId);
        } else {
            becomeUnattached(otherEpoch, Long.MAX_VALUE);
        }
        return true;
    }

    private void enterEpoch(int newEpoch) {
        Invariants.check(newEpoch >= epoch, "epoch going back from %d to %d", epoch, newEpoch);
        if (newEpoch > epoch) {
            epoch = newEpoch;
            votedId = DurableState.NO_VOTE;
            persist();
        }
    }

    private void changeRole(Role newRole) {
        if (newRole != Role.LEADER) {
            leader = null;
        }
        if (newRole != Role.PROSPECTIVE && newRole != Role.CANDIDATE) {
            election = null;
        }
        fetcher.reset();
        role = newRole;
        outbox.roleChanged(new RoleChange(role, epoch, leaderId));
    }

    // ---- log and high watermark ----

    private void appendAsLeader(EntryType type, byte[] payload) {
        LogEntry entry = new LogEntry(log.endOffset(), epoch, type, payload);
        log.append(entry);
        outbox.append(entry);
    }

    void maybeAdvanceHighWatermark() {
        long matched = leader.majorityMatchedOffset(log.flushedEndOffset());
        // Only an entry of the leader's own epoch is committed by counting replicas (Raft's figure-8 rule).
        if (matched > leader.epochStartOffset() && matched > highWatermark) {
            raiseHighWatermark(matched);
            leaderFetches.answerParked();
        }
    }

    void raiseHighWatermark(long offset) {
        Invariants.check(offset <= log.endOffset(), "high watermark %d beyond log end %d", offset, log.endOffset());
        if (offset > highWatermark) {
            highWatermark = offset;
            outbox.highWatermark(offset);
        }
    }

    void truncate(long offset) {
        Invariants.check(offset >= highWatermark, "truncation to %d below the high watermark %d", offset,
                highWatermark);
        log.truncateTo(offset);
        outbox.truncate(offset);
    }

    void appendAsFollower(List<LogEntry> entries) {
        for (LogEntry entry : entries) {
            log.append(entry);
            outbox.append(entry);
        }
    }

    // ---- helpers for the handlers ----

    void send(RaftMessage message) {
        outbox.send(message);
    }

    int nextCorrelationId() {
        int id = nextCorrelationId;
        nextCorrelationId = id == Integer.MAX_VALUE ? 0 : id + 1;
        return id;
    }

    List<Integer> otherVoters() {
        return otherVoters;
    }

    long randomElectionTimeoutMs() {
        return config.electionTimeoutMs() + random.nextInt(config.electionTimeoutMs());
    }

    int randomBelow(int bound) {
        return random.nextInt(bound);
    }

    LeaderAndEpoch currentLeader() {
        return new LeaderAndEpoch(leaderId, epoch);
    }

    private void persist() {
        outbox.writeDurableState(new DurableState(epoch, votedId));
    }

    // ---- status ----

    public Role role() {
        return role;
    }

    public int epoch() {
        return epoch;
    }

    public int votedId() {
        return votedId;
    }

    public int leaderId() {
        return leaderId;
    }

    public long highWatermark() {
        return highWatermark;
    }

    public RaftLog log() {
        return log;
    }

    public LeaderState leaderState() {
        return leader;
    }

    public Outbox outbox() {
        return outbox;
    }
}
