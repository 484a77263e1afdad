package io.fjord.raft.driver;

import io.fjord.protocol.Errors;
import io.fjord.raft.AddRaftVoterRequest;
import io.fjord.raft.AddRaftVoterResponse;
import io.fjord.raft.DurableState;
import io.fjord.raft.KraftVersionUpgrade;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ProposeResult;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RaftNode;
import io.fjord.raft.Ready;
import io.fjord.raft.RemoveRaftVoterRequest;
import io.fjord.raft.RemoveRaftVoterResponse;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.ReplicaState;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.VoterSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link RaftNode} on its own thread, the Agrona agent shape: other threads enqueue commands (received
 * messages, proposals, queries) into a bounded queue; each cycle the thread reads the time once, ticks the node,
 * executes the queued commands and then carries out every {@link Ready} in the order the core requires:
 * <ol>
 *   <li>write the durable state (fsync'd, before any message of the Ready leaves);</li>
 *   <li>write fetched snapshot chunks; install a complete fetched snapshot (fsync, rename, the log restarts empty at
 *       its end, the listener loads it); delete the log below a new log start;</li>
 *   <li>truncate the log, append the new entries;</li>
 *   <li>send the messages (a leader's fetch answers need not wait for its own fsync);</li>
 *   <li>fsync the log and report {@link RaftNode#onLogFlushed(long)} (acknowledgements count flushed entries
 *       only, so a follower's next fetch and the leader's own position follow the fsync);</li>
 *   <li>hand committed entries to the {@link RaftListener} and complete the proposals they carry.</li>
 * </ol>
 * Entries appended in one cycle share one fsync (group commit). Any storage error stops the driver: it tells the core
 * ({@link RaftNode#onStorageError(String)}), logs the reason, fails every pending proposal and sends nothing more, so
 * the node never acknowledges what it may not have. The state machine saves snapshots with
 * {@link #createSnapshot(long, byte[])}; a restart loads the latest one into the listener, then applies the log
 * after it.
 *
 * <p>Thread-safe: {@link #deliver}, {@link #propose}, {@link #createSnapshot}, {@link #describeQuorum} and
 * {@link #status} may be called
 * from any thread; the node, the storage and the listener are used by the driver's thread only. No thread is
 * started before {@link #start()}.
 */
public final class RaftDriver implements AutoCloseable {
    /** The finest tick {@link #create} uses (the shortest timers of tests' configurations). */
    static final int TICK_INTERVAL_MS_MIN = 5;
    /** The coarsest tick {@link #create} uses. */
    static final int TICK_INTERVAL_MS_MAX = 25;

    private static final Logger LOG = LoggerFactory.getLogger(RaftDriver.class);
    /** Commands executed per cycle before the node's outputs are carried out (bounds a cycle's latency). */
    private static final int MAX_COMMANDS_PER_CYCLE = 4096;
    /** The source of voter changes asked through {@link #addVoter}/{@link #removeVoter} (not a replica id). */
    private static final int ADMIN_ID = -3;

    private final RaftConfig config;
    private final RaftStorage storage;
    private final MessageSender sender;
    private final RaftListener listener;
    private final LongSupplier clockMs;
    private final LongSupplier wallClockMs;
    private final Random random;
    private final int pollIntervalMs;
    private final BlockingQueue<Command> commands;
    /** Proposals by the offset of their last entry, waiting for the high watermark to pass it. */
    private final TreeMap<Long, PendingProposal> pending = new TreeMap<>();
    /** Voter changes asked through this driver, by correlation id, until the core answers. */
    private final Map<Integer, CompletableFuture<Errors>> adminRequests = new java.util.HashMap<>();
    private int nextAdminCorrelationId;

    private RaftNode node;
    private Thread thread;
    private long appliedOffset;
    /** The snapshot recovered at start, loaded into the listener by the driver's thread first; null if none. */
    private OffsetAndEpoch recoveredSnapshot;
    private int knownLeaderId = -1;
    private DurableState writtenState;
    private int writtenLeaderId = -1;
    private volatile UUID directoryId = ReplicaKey.NO_DIRECTORY;
    private volatile boolean running;
    private volatile VoterSet voters;
    private volatile short kraftVersion;
    private volatile DriverStatus status = DriverStatus.NOT_STARTED;

    /**
     * @param clockMs a monotonic clock in milliseconds (the core's timeouts must never see time go back)
     * @param wallClockMs the wall clock in milliseconds since the epoch, for the times DescribeQuorum reports
     * @param queueCapacity bound of the command queue; a full queue drops messages (the core retries) and refuses
     *     proposals
     * @param pollIntervalMs the longest a cycle waits for a command, hence the tick granularity
     */
    public RaftDriver(RaftConfig config, RaftStorage storage, MessageSender sender, RaftListener listener,
            LongSupplier clockMs, LongSupplier wallClockMs, Random random, int queueCapacity, int pollIntervalMs) {
        this.config = config;
        this.storage = storage;
        this.sender = sender;
        this.listener = listener;
        this.clockMs = clockMs;
        this.wallClockMs = wallClockMs;
        this.random = random;
        this.pollIntervalMs = pollIntervalMs;
        this.commands = new ArrayBlockingQueue<>(queueCapacity);
    }

    /**
     * A driver with the system's monotonic and wall clocks, a 64 Ki command queue and ticks of
     * {@link #tickIntervalMs(RaftConfig)}.
     */
    public static RaftDriver create(RaftConfig config, RaftStorage storage, MessageSender sender,
            RaftListener listener) {
        return new RaftDriver(config, storage, sender, listener, () -> System.nanoTime() / 1_000_000,
                System::currentTimeMillis, new Random(), 65_536, tickIntervalMs(config));
    }

    /**
     * The tick granularity for {@code config}: a twentieth of its shortest configured timer (election timeout and
     * back-off, request timeout, and the fetch wait, which is shorter than the fetch timeout), within
     * [{@value #TICK_INTERVAL_MS_MIN}, {@value #TICK_INTERVAL_MS_MAX}] ms (Kafka's defaults give 25 ms). Messages and
     * proposals wake the driver at once; only timers wait for a tick, so a configured timer fires at most a
     * twentieth of the shortest one late (or 5 ms, below 100 ms), and the core's fixed 100 ms back-offs at most 25 ms
     * late, while an idle node wakes 40 times a second rather than 200.
     */
    public static int tickIntervalMs(RaftConfig config) {
        int shortestMs = Math.min(Math.min(config.electionTimeoutMs(), config.electionBackoffMaxMs()),
                Math.min(config.fetchMaxWaitMs(), config.requestTimeoutMs()));
        return Math.max(TICK_INTERVAL_MS_MIN, Math.min(TICK_INTERVAL_MS_MAX, shortestMs / 20));
    }

    /** Recovers the durable state and the log from storage, builds the node and starts the driver's thread. */
    public synchronized void start() throws java.io.IOException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        RaftStorage.Recovered recovered = storage.recover();
        LOG.info("Raft node {} recovered epoch {}, vote {}, leader {}, {} log entries", config.nodeId(),
                recovered.state().epoch(), recovered.state().votedId(), recovered.leaderId(),
                recovered.log().size());
        knownLeaderId = recovered.leaderId();
        writtenLeaderId = recovered.leaderId();
        writtenState = recovered.state();
        recoveredSnapshot = recovered.latestSnapshot();
        directoryId = storage.directoryId();
        node = new RaftNode(config, directoryId, recovered.state(), recovered.latestSnapshot(),
                recovered.log(), storage.snapshots(), random, clockMs.getAsLong());
        appliedOffset = node.logStartOffset();
        publishStatus(null);
        running = true;
        thread = new Thread(this::run, "raft-driver-" + config.nodeId());
        thread.start();
    }

    /**
     * The transport's connection to {@code peerId} was refused or closed; see {@link RaftNode#onPeerUnreachable}.
     * Dropped when the queue is full (the fetch timeout still applies).
     */
    public void peerUnreachable(int peerId) {
        if (running) {
            commands.offer(new PeerUnreachable(peerId));
        }
    }

    /** Takes a message from the network; false (dropped) when the queue is full or the driver stopped. */
    public boolean deliver(RaftMessage message) {
        return running && commands.offer(new Deliver(message));
    }

    /**
     * Proposes entries; the future completes with the offset of the last one once it is committed, or fails with a
     * {@link ProposalException}.
     */
    public CompletableFuture<Long> propose(List<byte[]> payloads) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1, "driver stopped"
                    + (status.failure() == null ? "" : ": " + status.failure())));
        } else if (!commands.offer(new Propose(List.copyOf(payloads), future))) {
            future.completeExceptionally(new ProposalException(Errors.REQUEST_TIMED_OUT, status.leaderId(),
                    "the driver's queue is full"));
        }
        return future;
    }

    /**
     * Saves a snapshot of the state machine: {@code state} is its state after applying every committed entry below
     * {@code offset} (at most the offset applied so far). The driver writes the voter set in force there followed by
     * {@code state} as snapshot {@code (offset, epoch of the entry before it)}, durably, tells the core (the log may
     * then start there and lagging replicas fetch the snapshot) and completes the future with its id. Nothing is
     * written (the future gets the latest snapshot's id) if the log starts at or after {@code offset} already.
     */
    public CompletableFuture<OffsetAndEpoch> createSnapshot(long offset, byte[] state) {
        CompletableFuture<OffsetAndEpoch> future = new CompletableFuture<>();
        if (!running || !commands.offer(new CreateSnapshot(offset, state, future))) {
            future.completeExceptionally(new ProposalException(Errors.REQUEST_TIMED_OUT, -1, "driver not running"));
        }
        return future;
    }

    /**
     * Asks this node, if it leads, to make observer ({@code voterId}, {@code voterDirectoryId}) a voter (KIP-853's
     * AddRaftVoter, acknowledged when the new voter set is committed); the future completes with the core's answer
     * (NONE, NOT_LEADER_OR_FOLLOWER, DUPLICATE_VOTER, REQUEST_TIMED_OUT for a replica not caught up or a change in
     * progress, ...).
     */
    public CompletableFuture<Errors> addVoter(int voterId, UUID voterDirectoryId, int timeoutMs) {
        return admin(correlationId -> new AddRaftVoterRequest(ADMIN_ID, config.nodeId(), correlationId, timeoutMs,
                voterId, voterDirectoryId, true));
    }

    /** Asks this node, if it leads, to remove voter ({@code voterId}, {@code voterDirectoryId}); see addVoter. */
    public CompletableFuture<Errors> removeVoter(int voterId, UUID voterDirectoryId) {
        return admin(correlationId -> new RemoveRaftVoterRequest(ADMIN_ID, config.nodeId(), correlationId, voterId,
                voterDirectoryId));
    }

    /**
     * Asks this node, if it leads, to upgrade the quorum's {@code kraft.version} to {@code level} (KIP-853; see
     * {@link RaftNode#upgradeKraftVersion}). The future completes with the core's answer: a refusal at once, NONE at
     * once for validate-only or the level in force, else NONE once the upgrade is committed (NOT_LEADER_OR_FOLLOWER
     * if the leadership is lost first).
     */
    public CompletableFuture<KraftVersionUpgrade> upgradeKraftVersion(short level, boolean validateOnly) {
        CompletableFuture<KraftVersionUpgrade> future = new CompletableFuture<>();
        if (!running || !commands.offer(new UpgradeKraftVersion(level, validateOnly, future))) {
            future.completeExceptionally(new ProposalException(Errors.REQUEST_TIMED_OUT, -1, "driver not running"));
        }
        return future;
    }

    /** The quorum's {@code kraft.version} as this node's log has it (KIP-853), as of the last cycle. */
    public short kraftVersion() {
        return kraftVersion;
    }

    private CompletableFuture<Errors> admin(java.util.function.IntFunction<RaftMessage> request) {
        CompletableFuture<Errors> future = new CompletableFuture<>();
        if (!running || !commands.offer(new Admin(request, future))) {
            future.completeExceptionally(new ProposalException(Errors.REQUEST_TIMED_OUT, -1, "driver not running"));
        }
        return future;
    }

    /** The quorum as this node's core knows it; fails with NOT_LEADER_OR_FOLLOWER unless this node leads. */
    public CompletableFuture<QuorumDescription> describeQuorum() {
        CompletableFuture<QuorumDescription> future = new CompletableFuture<>();
        if (!running || !commands.offer(new Describe(future))) {
            future.completeExceptionally(new ProposalException(Errors.REQUEST_TIMED_OUT, -1, "driver not running"));
        }
        return future;
    }

    /** This node's log directory id (KIP-853), known once started. */
    public UUID directoryId() {
        return directoryId;
    }

    /** The voter set in force on this node (its log's latest), as of the last cycle. */
    public VoterSet voters() {
        return voters;
    }

    public DriverStatus status() {
        return status;
    }

    public RaftConfig config() {
        return config;
    }

    /** Stops the thread (unsent messages and unflushed appends are dropped, as in a crash) and closes the storage. */
    @Override
    public void close() throws java.io.IOException {
        Thread running;
        synchronized (this) {
            running = thread;
        }
        this.running = false;
        if (running != null) {
            // No interrupt: it would close the log's file channels under an fsync. The loop polls every few ms.
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        storage.close();
    }

    // ---------------------------------------------------------------- the driver's thread

    private void run() {
        List<Command> batch = new ArrayList<>();
        try {
            if (recoveredSnapshot != null) {
                loadSnapshot(recoveredSnapshot);
            }
            while (running) {
                Command first = commands.poll(pollIntervalMs, TimeUnit.MILLISECONDS);
                long nowMs = clockMs.getAsLong();
                node.tick(nowMs);
                if (first != null) {
                    execute(first);
                    commands.drainTo(batch, MAX_COMMANDS_PER_CYCLE);
                    for (Command command : batch) {
                        execute(command);
                    }
                    batch.clear();
                }
                while (node.hasReady()) {
                    carryOut(node.ready());
                }
                publishStatus(null);
            }
        } catch (InterruptedException e) {
            LOG.debug("Raft driver {} interrupted", config.nodeId());
        } catch (StorageFailure e) {
            // The core's input: it drops what it collected and produces nothing more (votes, fetches, commits).
            node.onStorageError(String.valueOf(e.getCause()));
            stop("storage error: " + e.getCause(), e.getCause());
        } catch (RuntimeException | Error e) {
            stop("driver failure: " + e, e);
        } finally {
            running = false;
            failAll(Errors.KAFKA_STORAGE_ERROR, "driver stopped");
            adminRequests.values().forEach(future -> future.completeExceptionally(new ProposalException(
                    Errors.KAFKA_STORAGE_ERROR, -1, "driver stopped")));
            adminRequests.clear();
            Command left;
            while ((left = commands.poll()) != null) {
                if (left instanceof Propose propose) {
                    propose.future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1,
                            "driver stopped"));
                } else if (left instanceof Describe describe) {
                    describe.future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1,
                            "driver stopped"));
                } else if (left instanceof Admin admin) {
                    admin.future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1,
                            "driver stopped"));
                } else if (left instanceof UpgradeKraftVersion upgrade) {
                    upgrade.future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1,
                            "driver stopped"));
                } else if (left instanceof CreateSnapshot create) {
                    create.future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1,
                            "driver stopped"));
                }
            }
        }
    }

    private void execute(Command command) {
        if (command instanceof Deliver deliver) {
            node.handle(deliver.message);
        } else if (command instanceof Propose propose) {
            ProposeResult result = node.propose(propose.payloads);
            if (result.error() != Errors.NONE) {
                propose.future.completeExceptionally(new ProposalException(result.error(), result.leaderId(),
                        "proposal refused in epoch " + result.epoch()));
            } else {
                pending.put(result.lastOffset(), new PendingProposal(result.epoch(), propose.future));
            }
        } else if (command instanceof Describe describe) {
            describe(describe.future);
        } else if (command instanceof CreateSnapshot create) {
            createSnapshot(create);
        } else if (command instanceof PeerUnreachable unreachable) {
            node.onPeerUnreachable(unreachable.peerId);
        } else if (command instanceof UpgradeKraftVersion upgrade) {
            upgradeKraftVersion(upgrade);
        } else if (command instanceof Admin admin) {
            int correlationId = nextAdminCorrelationId++;
            adminRequests.put(correlationId, admin.future);
            node.handle(admin.request.apply(correlationId));
        }
    }

    private void upgradeKraftVersion(UpgradeKraftVersion upgrade) {
        KraftVersionUpgrade result = node.upgradeKraftVersion(upgrade.level, upgrade.validateOnly);
        if (result.error() != Errors.NONE || result.offset() < 0) {
            upgrade.future.complete(result);
            return;
        }
        CompletableFuture<Long> committed = new CompletableFuture<>();
        pending.put(result.offset(), new PendingProposal(node.epoch(), committed));
        committed.whenComplete((offset, failure) -> upgrade.future.complete(failure == null ? result
                : KraftVersionUpgrade.refused(failure instanceof ProposalException refused ? refused.error()
                        : Errors.UNKNOWN_SERVER_ERROR, "the upgrade was not committed: " + failure.getMessage())));
    }

    private void createSnapshot(CreateSnapshot create) {
        long offset = create.offset;
        if (offset > appliedOffset || offset < 0) {
            create.future.completeExceptionally(new IllegalArgumentException("a snapshot at " + offset
                    + " but the state machine applied only below " + appliedOffset));
            return;
        }
        if (offset <= node.logStartOffset()) {
            create.future.complete(node.latestSnapshotId());
            return;
        }
        OffsetAndEpoch snapshotId = new OffsetAndEpoch(offset, node.entry(offset - 1).epoch());
        byte[] voters = node.votersAt(offset).encode();
        ByteBuffer bytes = ByteBuffer.allocate(voters.length + create.state.length).put(voters).put(create.state)
                .flip();
        try {
            withStorage(() -> storage.createSnapshot(snapshotId, bytes));
        } catch (StorageFailure e) {
            create.future.completeExceptionally(new ProposalException(Errors.KAFKA_STORAGE_ERROR, -1,
                    "snapshot not written: " + e.getCause()));
            throw e;
        }
        node.onSnapshotCreated(snapshotId);
        create.future.complete(snapshotId);
    }

    /** Hands snapshot {@code snapshotId} to the listener (without the voter set it starts with). */
    private void loadSnapshot(OffsetAndEpoch snapshotId) {
        byte[][] read = new byte[1][];
        withStorage(() -> read[0] = storage.readSnapshot(snapshotId));
        byte[] bytes = read[0];
        int votersBytes = VoterSet.encodedSizeBytes(bytes);
        if (votersBytes < 0 || votersBytes > bytes.length) {
            throw new StorageFailure(new java.io.IOException("snapshot " + snapshotId
                    + " does not start with a voter set"));
        }
        listener.onSnapshotLoaded(snapshotId, Arrays.copyOfRange(bytes, votersBytes, bytes.length));
        appliedOffset = snapshotId.offset();
    }

    private void describe(CompletableFuture<QuorumDescription> future) {
        if (node.role() != Role.LEADER) {
            future.completeExceptionally(new ProposalException(Errors.NOT_LEADER_OR_FOLLOWER, node.leaderId(),
                    "node " + config.nodeId() + " does not lead"));
            return;
        }
        // The core's times are on the monotonic clock: DescribeQuorum reports wall-clock times, as Kafka does.
        long wallNowMs = wallClockMs.getAsLong();
        long monotonicNowMs = clockMs.getAsLong();
        List<QuorumDescription.Replica> voters = new ArrayList<>();
        VoterSet voterSet = node.voters();
        if (voterSet.containsId(config.nodeId())) {
            // The leader is caught up with itself now (Kafka reports its current time for both).
            voters.add(new QuorumDescription.Replica(config.nodeId(), node.flushedEndOffset(),
                    voterSet.key(config.nodeId()).orElseThrow().directoryId(), wallNowMs, wallNowMs));
        }
        for (ReplicaState voter : node.voterStates()) {
            UUID directory = voterSet.key(voter.replicaId()).map(ReplicaKey::directoryId)
                    .orElse(ReplicaKey.NO_DIRECTORY);
            voters.add(describedReplica(voter, directory, wallNowMs, monotonicNowMs));
        }
        List<QuorumDescription.Replica> observers = new ArrayList<>();
        for (ReplicaState observer : node.observerStates()) {
            observers.add(describedReplica(observer, observer.directoryId(), wallNowMs, monotonicNowMs));
        }
        future.complete(new QuorumDescription(config.nodeId(), node.epoch(), node.highWatermark(), voters,
                observers));
    }

    private static QuorumDescription.Replica describedReplica(ReplicaState state, UUID directoryId, long wallNowMs,
            long monotonicNowMs) {
        return new QuorumDescription.Replica(state.replicaId(), state.logEndOffset(), directoryId,
                wallTime(state.lastFetchMs(), wallNowMs, monotonicNowMs),
                wallTime(state.lastCaughtUpMs(), wallNowMs, monotonicNowMs));
    }

    /** The wall-clock time of {@code monotonicMs} (-1 for {@link ReplicaState#NEVER}), never after now. */
    static long wallTime(long monotonicMs, long wallNowMs, long monotonicNowMs) {
        if (monotonicMs == ReplicaState.NEVER) {
            return -1;
        }
        return wallNowMs - Math.max(0, monotonicNowMs - monotonicMs);
    }

    /** One Ready, in the core's order (see the class comment). */
    private void carryOut(Ready ready) {
        for (RoleChange change : ready.roleChanges()) {
            knownLeaderId = change.leaderId();
            LOG.info("Raft node {} is {} in epoch {}{}", config.nodeId(), change.role(), change.epoch(),
                    change.leaderId() < 0 ? "" : " (leader " + change.leaderId() + ")");
        }
        if (ready.durableState() != null || knownLeaderId != writtenLeaderId) {
            // A new leader alone is not needed for safety; Kafka's quorum-state names it for tools, so write it too.
            DurableState state = ready.durableState() != null ? ready.durableState() : writtenState;
            withStorage(() -> storage.writeDurableState(state, knownLeaderId));
            writtenState = state;
            writtenLeaderId = knownLeaderId;
        }
        for (SnapshotChunk chunk : ready.snapshotChunks()) {
            withStorage(() -> storage.writeSnapshotChunk(chunk));
        }
        if (ready.installSnapshot() != null) {
            withStorage(() -> storage.installSnapshot(ready.installSnapshot()));
            failFrom(0);
            loadSnapshot(ready.installSnapshot());
        }
        if (ready.logStartOffset() != Ready.NO_LOG_START_CHANGE) {
            withStorage(() -> storage.deleteLogBefore(ready.logStartOffset()));
        }
        boolean logChanged = false;
        if (ready.truncateToOffset() != Ready.NO_TRUNCATION) {
            withStorage(() -> storage.truncateTo(ready.truncateToOffset()));
            appliedOffset = Math.min(appliedOffset, ready.truncateToOffset());
            failFrom(ready.truncateToOffset());
            logChanged = true;
        }
        if (!ready.entriesToAppend().isEmpty()) {
            withStorage(() -> storage.append(ready.entriesToAppend()));
            logChanged = true;
        }
        for (var message : ready.messages()) {
            if (message.destination() == ADMIN_ID) {
                answerAdmin(message);
            } else {
                sender.send(message);
            }
        }
        if (logChanged) {
            withStorage(storage::flush);
            node.onLogFlushed(storage.endOffset());
        }
        for (RoleChange change : ready.roleChanges()) {
            listener.onRoleChange(change);
        }
        apply(ready.highWatermark());
        if (node.role() != Role.LEADER && !pending.isEmpty()) {
            failAll(Errors.NOT_LEADER_OR_FOLLOWER, "leadership lost before commit");
        }
    }

    private void answerAdmin(RaftMessage answer) {
        CompletableFuture<Errors> future = adminRequests.remove(answer.correlationId());
        if (future != null) {
            future.complete(answer instanceof AddRaftVoterResponse add ? add.error()
                    : ((RemoveRaftVoterResponse) answer).error());
        }
    }

    private void apply(long highWatermark) {
        long committedEnd = Math.min(highWatermark, node.logEndOffset());
        while (appliedOffset < committedEnd) {
            listener.onCommitted(node.entry(appliedOffset));
            appliedOffset++;
        }
        Map<Long, PendingProposal> committed = pending.headMap(committedEnd);
        for (Map.Entry<Long, PendingProposal> entry : committed.entrySet()) {
            LogEntry last = node.entry(entry.getKey());
            PendingProposal proposal = entry.getValue();
            if (last.epoch() == proposal.epoch) {
                proposal.future.complete(entry.getKey());
            } else {
                proposal.future.completeExceptionally(new ProposalException(Errors.NOT_LEADER_OR_FOLLOWER,
                        node.leaderId(), "entries replaced by epoch " + last.epoch()));
            }
        }
        committed.clear();
    }

    private void failFrom(long offset) {
        Map<Long, PendingProposal> lost = pending.tailMap(offset, true);
        lost.values().forEach(proposal -> proposal.future.completeExceptionally(new ProposalException(
                Errors.NOT_LEADER_OR_FOLLOWER, node.leaderId(), "entries truncated")));
        lost.clear();
    }

    private void failAll(Errors error, String reason) {
        int leaderId = node == null ? -1 : node.leaderId();
        pending.values().forEach(proposal -> proposal.future.completeExceptionally(
                new ProposalException(error, leaderId, reason)));
        pending.clear();
    }

    private void stop(String reason, Throwable cause) {
        LOG.error("Raft node {} stops acknowledging: {}", config.nodeId(), reason, cause);
        running = false;
        publishStatus(reason);
        try {
            listener.onFailure(reason, cause);
        } catch (RuntimeException e) {
            LOG.warn("Raft listener failed on the failure notice", e);
        }
    }

    private void publishStatus(String failure) {
        VoterSet current = node.voters();
        if (!current.equals(voters)) {
            sender.votersChanged(current);
        }
        voters = current;
        kraftVersion = node.kraftVersion();
        status = new DriverStatus(node.role(), node.epoch(), node.leaderId(), node.highWatermark(),
                node.logStartOffset(), node.logEndOffset(), appliedOffset, failure);
    }

    private static void withStorage(StorageAction action) {
        try {
            action.run();
        } catch (java.io.IOException | RuntimeException e) {
            throw new StorageFailure(e);
        }
    }

    @FunctionalInterface
    private interface StorageAction {
        void run() throws java.io.IOException;
    }

    /** A storage operation failed; carries the cause out of the cycle. */
    private static final class StorageFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StorageFailure(Throwable cause) {
            super(cause);
        }
    }

    private sealed interface Command permits Deliver, Propose, Describe, CreateSnapshot, PeerUnreachable, Admin,
            UpgradeKraftVersion {
    }

    private record UpgradeKraftVersion(short level, boolean validateOnly,
            CompletableFuture<KraftVersionUpgrade> future) implements Command {
    }

    private record Admin(java.util.function.IntFunction<RaftMessage> request, CompletableFuture<Errors> future)
            implements Command {
    }

    private record PeerUnreachable(int peerId) implements Command {
    }

    private record CreateSnapshot(long offset, byte[] state, CompletableFuture<OffsetAndEpoch> future)
            implements Command {
    }

    private record Deliver(RaftMessage message) implements Command {
    }

    private record Propose(List<byte[]> payloads, CompletableFuture<Long> future) implements Command {
    }

    private record Describe(CompletableFuture<QuorumDescription> future) implements Command {
    }

    private record PendingProposal(int epoch, CompletableFuture<Long> future) {
    }
}
