package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.AddRaftVoterRequest;
import io.fjord.raft.ApiVersionsRequest;
import io.fjord.raft.ApiVersionsResponse;
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
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.KraftVersionUpgrade;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RemoveRaftVoterRequest;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.SnapshotReader;
import io.fjord.raft.UpdateRaftVoterRequest;
import io.fjord.raft.UpdateRaftVoterResponse;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.VoteResponse;
import io.fjord.raft.VoterSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.UUID;

/**
 * The state of one replica and its role transitions; the message handlers ({@link VoteHandler},
 * {@link QuorumEpochHandler}, {@link LeaderFetchHandler}, {@link FollowerFetcher}, {@link SnapshotFetcher},
 * {@link VoterChangeHandler}) act on it. The voter set is the log's (KIP-853), so it moves with appends, truncations
 * and snapshots. Time comes only from
 * {@link #tick(long)} and randomness only from the injected {@link Random}, so equal inputs give equal outputs.
 *
 * <p>Not thread-safe: one thread owns a core.
 */
public final class RaftCore {
    /** The unit of the election back-off (Kafka's retry back-off base). */
    static final int ELECTION_BACKOFF_BASE_MS = 100;
    /** A never-led replica's first election timeout is a tenth to a fifth of the regular one. */
    static final int FIRST_ELECTION_TIMEOUT_DIVISOR = 10;

    final RaftConfig config;
    final ReplicaKey localKey;
    final RaftLog log;
    final Outbox outbox;
    final SnapshotReader snapshots;
    private final Random random;

    long nowMs;
    int epoch;
    int votedId;
    int leaderId = -1;
    Role role = Role.UNATTACHED;
    long highWatermark;
    /** When an unattached, prospective, candidate or resigned voter starts the next election. */
    long electionDeadlineMs;
    /** Election rounds lost in a row since this replica last had a leader; sets the back-off. */
    int lostElections;
    LeaderState leader;
    ElectionState election;
    /** The latest snapshot this replica has (created or fetched), null if none. */
    OffsetAndEpoch latestSnapshot;
    /** A storage write failed: the replica does nothing more until the driver restarts it. */
    private boolean failed;
    private VoterSet knownVoters;
    /** Peers the transport reported unreachable, until a message from them arrives (bounded by the peers). */
    private final Set<Integer> unreachablePeers = new HashSet<>();
    private int nextCorrelationId;

    final VoteHandler votes;
    final QuorumEpochHandler quorumEpochs;
    final LeaderFetchHandler leaderFetches;
    final FollowerFetcher fetcher;
    final SnapshotFetcher snapshotFetcher;
    final VoterChangeHandler voterChanges;
    final VoterUpdateHandler voterUpdates;
    final VoterUpdateSender voterUpdateSender;

    public RaftCore(RaftConfig config, UUID directoryId, DurableState durableState, OffsetAndEpoch latestSnapshot,
            List<LogEntry> recoveredLog, SnapshotReader snapshots, Random random, long nowMs) {
        this.config = config;
        this.localKey = new ReplicaKey(config.nodeId(), directoryId);
        this.random = random;
        this.snapshots = snapshots;
        this.latestSnapshot = latestSnapshot;
        OffsetAndEpoch start = latestSnapshot == null ? new OffsetAndEpoch(0, 0) : latestSnapshot;
        VoterSet startVoters = latestSnapshot == null ? VoterSet.ofIds(config.voterIds())
                : readSnapshotVoters(snapshots, latestSnapshot);
        this.log = new RaftLog(start, startVoters, recoveredLog);
        this.outbox = new Outbox(log.endOffset());
        this.knownVoters = log.voters();
        this.nowMs = nowMs;
        this.epoch = durableState.epoch();
        this.votedId = durableState.votedId();
        Invariants.check(log.lastEpoch() <= epoch, "log epoch %d above durable epoch %d", log.lastEpoch(), epoch);
        // A snapshot holds committed entries only.
        this.highWatermark = log.startOffset();
        outbox.highWatermark(highWatermark);
        // Correlation ids start at a random point so a response meant for an earlier incarnation rarely matches.
        this.nextCorrelationId = random.nextInt(Integer.MAX_VALUE / 2);
        this.votes = new VoteHandler(this);
        this.quorumEpochs = new QuorumEpochHandler(this);
        this.leaderFetches = new LeaderFetchHandler(this);
        this.snapshotFetcher = new SnapshotFetcher(this);
        this.fetcher = new FollowerFetcher(this);
        this.voterChanges = new VoterChangeHandler(this);
        this.voterUpdates = new VoterUpdateHandler(this);
        this.voterUpdateSender = new VoterUpdateSender(this);
        // A replica that has never seen a leader (epoch 0, no vote, nothing in its log: a new cluster's first start)
        // stands soon rather than after a full timeout; the voters of a running quorum refuse its pre-vote and name
        // their leader, so it cannot disturb them. Timing never affects Raft's safety, only how soon a leader is found.
        boolean neverSawLeader = epoch == 0 && votedId == DurableState.NO_VOTE && latestSnapshot == null
                && recoveredLog.isEmpty();
        electionDeadlineMs = nowMs + (neverSawLeader ? randomFirstElectionTimeoutMs() : randomElectionTimeoutMs());
        outbox.roleChanged(new RoleChange(role, epoch, leaderId));
        if (isVoter() && otherVoters().isEmpty()) {
            becomeProspective();
        } else if (!isVoter()) {
            fetcher.maybeSendFetch();
        }
    }

    /** The voter set at the start of a snapshot (KIP-853 puts it there); a snapshot without one is corrupt. */
    private static VoterSet readSnapshotVoters(SnapshotReader snapshots, OffsetAndEpoch snapshotId) {
        long size = snapshots.sizeInBytes(snapshotId);
        Invariants.check(size >= VoterSet.headerSizeBytes(), "snapshot %s missing or too small: %d bytes",
                snapshotId, size);
        int maxBytes = (int) Math.min(size, VoterSet.MAX_ENCODED_BYTES);
        return VoterSet.decode(snapshots.read(snapshotId, 0, maxBytes)).orElseThrow(
                () -> new IllegalStateException("snapshot " + snapshotId + " does not start with a voter set"));
    }

    // ---- inputs ----

    public void handle(RaftMessage message) {
        Invariants.check(message.destination() == config.nodeId(), "message for %d delivered to %d",
                message.destination(), config.nodeId());
        if (failed) {
            return;
        }
        unreachablePeers.remove(message.source()); // a message came through: reachable again
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
            leaderFetches.handleSnapshot(request);
        } else if (message instanceof FetchSnapshotResponse response) {
            snapshotFetcher.handleResponse(response);
        } else if (message instanceof AddRaftVoterRequest request) {
            voterChanges.handleAdd(request);
        } else if (message instanceof RemoveRaftVoterRequest request) {
            voterChanges.handleRemove(request);
        } else if (message instanceof UpdateRaftVoterRequest request) {
            voterUpdates.handle(request);
        } else if (message instanceof UpdateRaftVoterResponse response) {
            voterUpdateSender.handleResponse(response);
        } else if (message instanceof ApiVersionsRequest request) {
            // What a listener answers for this software (a real transport answers ApiVersions itself).
            send(new ApiVersionsResponse(config.nodeId(), request.source(), request.correlationId(), Errors.NONE,
                    KraftVersionRange.SUPPORTED));
        } else if (message instanceof ApiVersionsResponse response) {
            voterChanges.handleVersions(response);
        }
        // AddRaftVoter and RemoveRaftVoter responses go to admin clients, never to a replica: ignored.
    }

    public void tick(long now) {
        Invariants.check(now >= nowMs, "time went back from %d to %d", nowMs, now);
        nowMs = now;
        if (failed) {
            return;
        }
        switch (role) {
            case LEADER -> tickLeader();
            case FOLLOWER -> {
                if (fetcher.leaderLost()) {
                    // Lost the leader: voters try to elect one, observers look for one.
                    if (isVoter()) {
                        becomeProspective();
                    } else {
                        becomeUnattached(epoch, Long.MAX_VALUE);
                    }
                } else {
                    fetcher.tick();
                    voterUpdateSender.maybeSend();
                }
            }
            case UNATTACHED, RESIGNED -> {
                if (nowMs >= electionDeadlineMs && isVoter()) {
                    becomeProspective();
                } else if (nowMs >= electionDeadlineMs && role == Role.RESIGNED) {
                    // A leader that removed itself is an observer now: it looks for the next leader.
                    becomeUnattached(epoch, Long.MAX_VALUE);
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
        voterChanges.expire();
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
        if (failed) {
            return;
        }
        log.markFlushed(endOffset);
        if (role == Role.LEADER) {
            maybeAdvanceHighWatermark();
        } else {
            fetcher.maybeSendFetch();
        }
    }

    /**
     * The state machine holds a snapshot of the entries below {@code snapshotId.offset()} (committed; the epoch is
     * that of the entry before it): the log may start there. Returns false for a snapshot no newer than the log
     * start (nothing to do).
     */
    public boolean onSnapshotCreated(OffsetAndEpoch snapshotId) {
        if (failed || snapshotId.offset() <= log.startOffset()) {
            return false;
        }
        if (snapshotId.offset() > highWatermark) {
            throw new IllegalArgumentException("snapshot " + snapshotId + " beyond the high watermark "
                    + highWatermark);
        }
        if (snapshotId.epoch() != log.epochBefore(snapshotId.offset())) {
            throw new IllegalArgumentException("snapshot " + snapshotId + " but the entry before offset "
                    + snapshotId.offset() + " has epoch " + log.epochBefore(snapshotId.offset()));
        }
        latestSnapshot = snapshotId;
        log.deletePrefix(snapshotId.offset());
        outbox.logStart(snapshotId.offset());
        return true;
    }

    /** The transport's connection to {@code peerId} was refused or closed (see {@code RaftNode.onPeerUnreachable}). */
    public void onPeerUnreachable(int peerId) {
        if (failed || peerId == config.nodeId()) {
            return;
        }
        if (unreachablePeers.add(peerId) || role == Role.PROSPECTIVE || role == Role.CANDIDATE) {
            votes.maybeBackOffLostElection();
        }
        fetcher.peerUnreachable(peerId);
    }

    /** The voters the transport reported unreachable and that have not been heard from since. */
    Set<Integer> unreachableVoters() {
        if (unreachablePeers.isEmpty()) {
            return Set.of();
        }
        Set<Integer> voters = new HashSet<>();
        for (int peerId : unreachablePeers) {
            if (log.voters().containsId(peerId)) {
                voters.add(peerId);
            }
        }
        return voters;
    }

    /** A storage write failed: stop acknowledging anything (no votes, fetches, commits) until restarted. */
    public void onStorageError() {
        failed = true;
        outbox.discard();
    }

    public boolean isFailed() {
        return failed;
    }

    // ---- transitions ----

    /** Moves to {@code newEpoch} (if higher) without a leader; the next election starts at {@code deadlineMs}. */
    void becomeUnattached(int newEpoch, long deadlineMs) {
        enterEpoch(newEpoch);
        leaderId = -1;
        electionDeadlineMs = deadlineMs == Long.MAX_VALUE ? nowMs + randomElectionTimeoutMs() : deadlineMs;
        changeRole(Role.UNATTACHED);
        if (!isVoter()) {
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
        lostElections = 0;
        Invariants.check(newLeaderId != config.nodeId(), "following itself in epoch %d", newEpoch);
        Invariants.check(!(role == Role.LEADER && newEpoch == epoch), "two leaders in epoch %d", epoch);
        enterEpoch(newEpoch);
        leaderId = newLeaderId;
        changeRole(Role.FOLLOWER);
        fetcher.heardFromLeader();
        fetcher.leaderHeardMs = Long.MIN_VALUE / 2; // not heard from yet, unless the caller heard it
        fetcher.maybeSendFetch();
        voterUpdateSender.maybeSend();
    }

    void becomeProspective() {
        Invariants.check(isVoter(), "an observer may not stand for election");
        leaderId = -1;
        electionDeadlineMs = nowMs + randomElectionTimeoutMs();
        changeRole(Role.PROSPECTIVE);
        election = new ElectionState(true, log.voters().majority(), config.nodeId());
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
        election = new ElectionState(false, log.voters().majority(), config.nodeId());
        votes.askAll();
        if (election.isWon()) {
            becomeLeader();
        }
    }

    void becomeLeader() {
        lostElections = 0;
        Invariants.check(role == Role.CANDIDATE && votedId == config.nodeId(), "leader without winning epoch %d",
                epoch);
        leaderId = config.nodeId();
        changeRole(Role.LEADER);
        leader = new LeaderState(epoch, log.endOffset(), log.voters(), config.nodeId(), nowMs);
        // Every epoch starts with an entry of its own: committing it commits everything before it (Raft's no-op).
        voterUpdates.leadershipStarted();
        appendAsLeader(EntryType.LEADER_CHANGE, ByteBuffer.allocate(4).putInt(0, config.nodeId()).array());
        VoterSet withOwnEndpoints = voterUpdates.votersWithOwnEndpoints();
        if (withOwnEndpoints != null) {
            // KIP-853: this leader listens elsewhere than the voter set says (restarted on another address).
            appendAsLeader(EntryType.VOTERS, withOwnEndpoints.encode());
        } else if (log.lastVotersOffset() < 0 && log.startOffset() == 0 && latestSnapshot != null) {
            // The voters come from the bootstrap snapshot at offset 0 (fjord format --standalone or
            // --initial-controllers), which no fetch from offset 0 ever sends: put them in the log, as Kafka's
            // leader writes its VotersRecord, so that observers learn them.
            appendAsLeader(EntryType.VOTERS, log.voters().encode());
        }
        for (int voter : otherVoters()) {
            send(new BeginQuorumEpochRequest(config.nodeId(), voter, nextCorrelationId(), config.nodeId(), epoch));
        }
        maybeAdvanceHighWatermark();
    }

    /**
     * Gives up leadership (check-quorum failed, the driver asked for it before shutting down, or this leader removed
     * itself from the voters) and asks the voters to elect a successor now, the most caught up first.
     */
    public void resign() {
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
        if (role == Role.LEADER && newRole != Role.LEADER) {
            voterChanges.leadershipEnded();
        }
        if (newRole != Role.LEADER) {
            leader = null;
        }
        if (newRole != Role.PROSPECTIVE && newRole != Role.CANDIDATE) {
            election = null;
        }
        fetcher.reset();
        voterUpdateSender.reset();
        role = newRole;
        outbox.roleChanged(new RoleChange(role, epoch, leaderId));
    }

    // ---- log, voters and high watermark ----

    void appendAsLeader(EntryType type, byte[] payload) {
        LogEntry entry = new LogEntry(log.endOffset(), epoch, type, payload);
        log.append(entry);
        outbox.append(entry);
        if (type == EntryType.VOTERS) {
            votersMaybeChanged();
        }
    }

    void maybeAdvanceHighWatermark() {
        long matched = leader.majorityMatchedOffset(log.flushedEndOffset());
        // Only an entry of the leader's own epoch is committed by counting replicas (Raft's figure-8 rule).
        if (matched > leader.epochStartOffset() && matched > highWatermark) {
            raiseHighWatermark(matched);
            voterChanges.maybeComplete();
            if (!isVoter() && highWatermark > log.lastVotersOffset()) {
                // KIP-853: a leader that removed itself leads until the removal is committed, then resigns.
                resign();
                return;
            }
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
        votersMaybeChanged();
    }

    void appendAsFollower(List<LogEntry> entries) {
        boolean voters = false;
        for (LogEntry entry : entries) {
            log.append(entry);
            outbox.append(entry);
            voters |= entry.type() == EntryType.VOTERS;
        }
        if (voters) {
            votersMaybeChanged();
        }
    }

    /** A fetched snapshot is complete: the log restarts empty at its end, with its voter set. */
    void installSnapshot(OffsetAndEpoch snapshotId, VoterSet voters) {
        if (highWatermark > snapshotId.offset()) {
            return; // this replica already has more committed entries than the snapshot covers
        }
        log.resetTo(snapshotId, voters);
        latestSnapshot = snapshotId;
        outbox.installSnapshot(snapshotId);
        raiseHighWatermark(snapshotId.offset());
        votersMaybeChanged();
    }

    /** Follows a change of the log's voter set: the leader's bookkeeping, and a node that is no longer a voter. */
    private void votersMaybeChanged() {
        VoterSet voters = log.voters();
        if (voters.equals(knownVoters)) {
            return;
        }
        knownVoters = voters;
        if (role == Role.LEADER) {
            leader.updateVoters(voters, nowMs);
            maybeAdvanceHighWatermark();
        } else if ((role == Role.PROSPECTIVE || role == Role.CANDIDATE) && !isVoter()) {
            becomeUnattached(epoch, Long.MAX_VALUE);
        }
    }

    /**
     * The quorum's {@code kraft.version} as this replica's log has it (KIP-853): 1 once the voter set in force carries
     * directory ids (a dynamic quorum's bootstrap checkpoint, AddRaftVoter, the upgrade), 0 while it is the ids-only
     * set of {@code controller.quorum.voters}; a dynamic quorum's replica that has not learned its voters yet is at 1.
     */
    public short kraftVersion() {
        VoterSet voters = log.voters();
        return (short) (voters.hasDirectoryIds() || (voters.isEmpty() && config.voterIds().isEmpty()) ? 1 : 0);
    }

    /** Kafka's {@code upgradeKRaftVersion} on the leader; see {@link VoterUpdateHandler}. */
    public KraftVersionUpgrade upgradeKraftVersion(short level, boolean validateOnly) {
        if (failed) {
            return KraftVersionUpgrade.refused(io.fjord.protocol.Errors.KAFKA_STORAGE_ERROR, "storage failed");
        }
        return voterUpdates.upgrade(level, validateOnly);
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

    /** Whether this replica is in its log's voter set (else it observes). */
    boolean isVoter() {
        return log.voters().isVoter(localKey);
    }

    /**
     * Where an observer without a leader asks for one, in turn: the voters it knows, then the bootstrap servers of
     * a dynamic quorum (their ids from {@link RaftConfig#bootstrapId(int)}).
     */
    List<Integer> discoveryTargets() {
        List<Integer> result = otherVoters();
        for (int i = 0; i < config.bootstrapServerCount(); i++) {
            result.add(RaftConfig.bootstrapId(i));
        }
        return result;
    }

    /** The voters other than this replica, by id. */
    List<Integer> otherVoters() {
        List<Integer> result = new ArrayList<>(log.voters().size());
        for (int id : log.voters().ids()) {
            if (id != config.nodeId()) {
                result.add(id);
            }
        }
        return result;
    }

    long randomElectionTimeoutMs() {
        return config.electionTimeoutMs() + random.nextInt(config.electionTimeoutMs());
    }

    /**
     * The first election timeout of a replica that has never seen a leader: a random time in [T/10, T/5) for an
     * election timeout T (100-200 ms by default), randomized as the regular one so that the voters of a new cluster
     * rarely stand together.
     */
    long randomFirstElectionTimeoutMs() {
        int base = Math.max(1, config.electionTimeoutMs() / FIRST_ELECTION_TIMEOUT_DIVISOR);
        return base + random.nextInt(base);
    }

    /**
     * Kafka's binary exponential election back-off: after the n-th round lost in a row, a random multiple of 100 ms
     * below 2^n (0 or 100 ms after the first), capped by {@code quorum.election.backoff.max.ms}. A split vote is
     * usually settled by the next round, so the first retries come soon.
     */
    long electionBackoffMs() {
        int exponent = Math.min(Math.max(lostElections, 1), 10);
        return Math.min((long) ELECTION_BACKOFF_BASE_MS * random.nextInt(2 << (exponent - 1)),
                config.electionBackoffMaxMs());
    }

    int randomBelow(int bound) {
        return random.nextInt(bound);
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

    /** The time of the last tick (the node's clock). */
    public long nowMs() {
        return nowMs;
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

    public OffsetAndEpoch latestSnapshot() {
        return latestSnapshot;
    }

    public boolean localIsVoter() {
        return isVoter();
    }
}
