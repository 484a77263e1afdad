package io.fjord.raft.sim;

import io.fjord.protocol.Errors;
import io.fjord.raft.AddRaftVoterRequest;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ProposeResult;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RaftNode;
import io.fjord.raft.Ready;
import io.fjord.raft.RemoveRaftVoterRequest;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.VoterSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One seeded run of a simulated quorum: nodes ({@link RaftNode} plus a {@link SimDisk} and a {@link SimStateMachine}
 * each) driven by a scheduler of simulated time, a {@link SimNetwork}, a client proposing entries, and faults:
 * crashes that lose unflushed data, restarts, symmetric partitions, one-way cuts, an isolated leader, lossy,
 * duplicating and slow links, leader resignations (some followed by a shutdown), storage errors. Some seeds also
 * take snapshots (a node's state machine snapshots what it applied, at random times; lagging and restarted nodes
 * catch up from them in chunks) and change the voters one at a time (an admin adds observers and removes voters,
 * the leader too, keeping 3 to 5 voters). After every event the {@link InvariantChecker} runs. After the fault phase everything heals; then a leader must be elected and
 * a probe entry committed on every node within {@link #LIVENESS_BOUND_MS}.
 *
 * <p>Everything random comes from the seed (the simulation's own {@link Random} and one per node incarnation), so a
 * seed replays exactly. A failure throws an {@link AssertionError} carrying the seed and the trace of events.
 *
 * <p>Not thread-safe: one thread runs a simulation.
 */
final class Simulation {
    static final long FAULT_PHASE_MS = 30_000;
    static final long LIVENESS_BOUND_MS = 20_000;
    private static final int TICK_INTERVAL_MS = 20;
    private static final int TRACE_TAIL = 150;
    private static final int MAX_CLIENT_BACKLOG = 100;
    /** The node id of the admin client that sends AddRaftVoter and RemoveRaftVoter (not a node). */
    private static final int ADMIN_ID = 1_000;

    private final long seed;
    private final Random random;
    private final int voterCount;
    private final int nodeCount;
    private final RaftConfig baseConfig;
    private final boolean tightTimeouts;
    private final SimDisk[] disks;
    private final SimStateMachine[] stateMachines;
    private final RaftNode[] nodes;
    /** Nodes stopped by a storage error, kept receiving (and checked silent) until restarted. */
    private final boolean[] failed;
    private final boolean snapshots;
    private final boolean voterChanges;
    private final int[] incarnations;
    private final boolean[] flushScheduled;
    private final SimNetwork network;
    private final FaultInjector faults;
    /** Bounds of this seed's flush delay and of the time between faults: some seeds are calm, some are not. */
    private final int flushDelayMaxMs;
    private final int faultIntervalMaxMs;
    private final InvariantChecker checker;
    private final PriorityQueue<SimEvent> queue = new PriorityQueue<>(
            Comparator.comparingLong(SimEvent::timeMs).thenComparingLong(SimEvent::sequence));
    private final List<SimEvent> trace = new ArrayList<>();
    private long sequence;
    private long nowMs;
    private long proposals;
    private long healedAtMs = -1;
    private byte[] probe;
    private long livenessMetAtMs = -1;
    private int snapshotsCreated;
    private int snapshotsInstalled;
    private int resignations;
    private int storageFailures;
    /** Unreachable notices that reached a follower about its own leader (the early-election path). */
    private int leaderLossNotices;
    private int adminCorrelationId;
    private final java.util.Map<String, Integer> adminAnswers = new java.util.TreeMap<>();

    Simulation(long seed) {
        this.seed = seed;
        // Scrambled: java.util.Random's first outputs for neighbouring seeds are alike.
        this.random = new Random(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        this.voterCount = seed % 2 == 0 ? 3 : 5;
        this.snapshots = random.nextInt(3) != 0;
        this.voterChanges = random.nextBoolean();
        // With voter changes, observers to add: up to 5 voters.
        int observerCount = voterChanges ? (voterCount == 3 ? 2 : 1) : (seed / 2) % 3 == 0 ? 1 : 0;
        this.nodeCount = voterCount + observerCount;
        Set<Integer> voters = new TreeSet<>();
        for (int id = 0; id < voterCount; id++) {
            voters.add(id);
        }
        int[] fetchMaxBytesChoices = {200, 2_000, 64 * 1024};
        // Kafka's timeouts, or (one seed in three) timeouts close to the network's delays: elections all the time.
        this.tightTimeouts = random.nextInt(3) == 0;
        RaftConfig config = RaftConfig.withDefaults(0, voters);
        config = tightTimeouts ? config.withTimeouts(150, 300, 150, 100, 100)
                : config.withTimeouts(1000, 2000, 1000, 500, 500);
        this.baseConfig = config.withFetchMaxBytes(fetchMaxBytesChoices[random.nextInt(fetchMaxBytesChoices.length)]);
        this.disks = new SimDisk[nodeCount];
        this.nodes = new RaftNode[nodeCount];
        this.stateMachines = new SimStateMachine[nodeCount];
        this.failed = new boolean[nodeCount];
        this.incarnations = new int[nodeCount];
        this.flushScheduled = new boolean[nodeCount];
        for (int id = 0; id < nodeCount; id++) {
            disks[id] = new SimDisk();
            stateMachines[id] = new SimStateMachine();
        }
        this.network = new SimNetwork(nodeCount);
        // A one-entry fetch limit makes every entry a round trip: only with a fast disk can followers keep up.
        int[] flushDelays = {5, 50, 300};
        this.flushDelayMaxMs = baseConfig.fetchMaxBytes() < 1000 ? 5 : flushDelays[random.nextInt(flushDelays.length)];
        int[] faultIntervals = {600, 1500};
        this.faultIntervalMaxMs = faultIntervals[random.nextInt(faultIntervals.length)];
        this.checker = new InvariantChecker(disks, VoterSet.ofIds(voters));
        this.faults = new FaultInjector(this, random, network, nodeCount, voterCount);
    }

    /** Runs the seed to the end; returns a one-line summary. */
    String run() {
        try {
            for (int id = 0; id < nodeCount; id++) {
                start(id);
                scheduleTick(id, 1 + random.nextInt(TICK_INTERVAL_MS));
            }
            schedule(random.nextInt(100), "propose", -1, null, this::propose);
            schedule(200 + random.nextInt(1000), "fault", -1, "next fault", this::fault);
            schedule(FAULT_PHASE_MS, "heal", -1, null, this::heal);
            if (snapshots) {
                schedule(200 + random.nextInt(2000), "snapshot", -1, null, this::takeSnapshot);
            }
            if (voterChanges) {
                schedule(500 + random.nextInt(3000), "voters", -1, null, this::changeVoters);
            }
            long endMs = FAULT_PHASE_MS + LIVENESS_BOUND_MS;
            while (!queue.isEmpty() && livenessMetAtMs < 0) {
                SimEvent event = queue.poll();
                if (event.timeMs() > endMs) {
                    break;
                }
                nowMs = event.timeMs();
                trace.add(event);
                event.action().run();
                checker.afterEvent();
            }
            if (livenessMetAtMs < 0) {
                throw new AssertionError(String.format("liveness: no leader committed the probe on every node within "
                        + "%d ms after healing at %d ms (committed at offset %d)", LIVENESS_BOUND_MS, healedAtMs,
                        checker.watchedPayloadOffset()));
            }
        } catch (AssertionError | RuntimeException failure) {
            throw new AssertionError(failureReport(failure), failure);
        }
        return String.format("seed %d: %d voters + %d observers, %s timeouts, %d events, %d proposals, %d committed, "
                + "%d leaders, %d snapshots created, %d installed, %d voter changes committed, %d resignations, "
                + "%d storage errors, %d leader-loss notices, admin answers %s, probe committed everywhere %d ms after "
                + "healing", seed,
                voterCount,
                nodeCount - voterCount, tightTimeouts ? "tight" : "Kafka's", trace.size(), proposals,
                checker.committed().size(), checker.leaderCount(), snapshotsCreated, snapshotsInstalled,
                checker.committedVoterChanges(), resignations, storageFailures, leaderLossNotices, adminAnswers,
                livenessMetAtMs - healedAtMs);
    }

    // ---- nodes ----

    private RaftConfig configOf(int id) {
        return baseConfig.withNodeId(id);
    }

    private static UUID directoryOf(int id) {
        return new UUID(0xF10DL, id + 1);
    }

    void start(int id) {
        SimDisk disk = disks[id];
        disk.flush();
        checker.onRestart(id);
        if (failed[id]) {
            failed[id] = false;
            incarnations[id]++;
        }
        stateMachines[id].load(disk.snapshot);
        Random nodeRandom = new Random(seed * 1_000_003L + id * 7_919L + incarnations[id]);
        nodes[id] = new RaftNode(configOf(id), directoryOf(id), disk.durableState, disk.snapshotId, disk.entries(),
                disk, nodeRandom, nowMs);
        drain(id);
    }

    void crash(int id) {
        nodes[id] = null;
        incarnations[id]++;
        flushScheduled[id] = false;
        long survivingEnd = disks[id].crash(random);
        checker.onCrash(id, survivingEnd);
        // The others' transports see the dead process's connections close within milliseconds.
        for (int other = 0; other < nodeCount; other++) {
            if (other != id && nodes[other] != null) {
                int incarnation = incarnations[other];
                int peer = id;
                int receiver = other;
                schedule(nowMs + 1 + random.nextInt(10), "unreachable", other, "n" + id,
                        () -> peerUnreachable(receiver, peer, incarnation));
            }
        }
    }

    /** Node {@code id}'s transport lost its connection to {@code peer} (a crash, or a reset of a live link). */
    void peerUnreachable(int id, int peer, int incarnation) {
        if (nodes[id] == null || incarnations[id] != incarnation) {
            return;
        }
        if (nodes[id].role() == io.fjord.raft.Role.FOLLOWER && nodes[id].leaderId() == peer) {
            leaderLossNotices++;
        }
        nodes[id].onPeerUnreachable(peer);
        drain(id);
    }

    /** A connection reset although both ends live: node {@code id} is told {@code peer} is unreachable. */
    void spuriousUnreachable(int id, int peer) {
        peerUnreachable(id, peer, incarnations[id]);
    }

    private void scheduleTick(int id, long delayMs) {
        schedule(nowMs + delayMs, "tick", id, null, () -> {
            if (nodes[id] != null) {
                nodes[id].tick(nowMs);
                drain(id);
            }
            scheduleTick(id, TICK_INTERVAL_MS);
        });
    }

    /**
     * Applies every Ready of node {@code id} the way a driver must: durable state, snapshot, log, messages, commit.
     * An armed storage fault fails the first Ready that writes: nothing of it is applied and the node is stopped.
     */
    private void drain(int id) {
        RaftNode node = nodes[id];
        SimDisk disk = disks[id];
        if (failed[id]) {
            if (node.hasReady()) {
                throw new AssertionError("node " + id + " stopped by a storage error still has output: "
                        + node.ready());
            }
            return;
        }
        while (node.hasReady()) {
            Ready ready = node.ready();
            boolean writes = ready.durableState() != null || !ready.entriesToAppend().isEmpty()
                    || !ready.snapshotChunks().isEmpty() || ready.installSnapshot() != null;
            if (writes && disk.failNextWrite) {
                storageFailure(id, "a write of " + ready);
                return;
            }
            if (ready.durableState() != null) {
                disk.durableState = ready.durableState();
            }
            for (SnapshotChunk chunk : ready.snapshotChunks()) {
                disk.writeChunk(chunk);
            }
            if (ready.installSnapshot() != null) {
                installSnapshot(id, ready.installSnapshot());
            }
            if (ready.logStartOffset() != Ready.NO_LOG_START_CHANGE) {
                disk.deletePrefix(ready.logStartOffset());
            }
            if (ready.truncateToOffset() != Ready.NO_TRUNCATION) {
                checker.onTruncate(id, ready.truncateToOffset());
                disk.truncateTo(ready.truncateToOffset());
            }
            for (LogEntry entry : ready.entriesToAppend()) {
                disk.append(entry);
                checker.onAppend(id, entry);
            }
            for (RoleChange change : ready.roleChanges()) {
                checker.onRoleChange(id, change);
            }
            checker.onHighWatermark(id, ready.highWatermark());
            apply(id, ready.highWatermark());
            for (RaftMessage message : ready.messages()) {
                send(message);
            }
            if (disk.flushedEndOffset < disk.endOffset() && !flushScheduled[id]) {
                flushScheduled[id] = true;
                int incarnation = incarnations[id];
                schedule(nowMs + random.nextInt(flushDelayMaxMs), "flush", id, null, () -> flush(id, incarnation));
            }
        }
        if (node.logEndOffset() != disk.endOffset() || node.logStartOffset() != disk.startOffset) {
            throw new AssertionError("node " + id + " log [" + node.logStartOffset() + ", " + node.logEndOffset()
                    + ") but disk [" + disk.startOffset + ", " + disk.endOffset() + ")");
        }
        checkProbe();
    }

    private void installSnapshot(int id, OffsetAndEpoch snapshotId) {
        SimDisk disk = disks[id];
        disk.installPartial(snapshotId);
        long[] offsetAndChain = SimStateMachine.offsetAndChainOf(disk.snapshot);
        if (offsetAndChain[0] != snapshotId.offset()) {
            throw new AssertionError("snapshot " + snapshotId + " holds the state at " + offsetAndChain[0]);
        }
        checker.onSnapshotInstalled(id, snapshotId.offset(), offsetAndChain[1]);
        stateMachines[id].load(disk.snapshot);
        snapshotsInstalled++;
    }

    /** The state machine applies the committed entries it has not applied yet. */
    private void apply(int id, long highWatermark) {
        SimStateMachine stateMachine = stateMachines[id];
        if (stateMachine.appliedOffset >= highWatermark) {
            return;
        }
        while (stateMachine.appliedOffset < highWatermark) {
            stateMachine.apply(disks[id].entry(stateMachine.appliedOffset));
        }
        checker.onApplied(id, stateMachine.appliedOffset, stateMachine.chain);
    }

    /** A write failed: the node is told and stops; its disk is left as a crash would leave it; it restarts later. */
    private void storageFailure(int id, String what) {
        failed[id] = true;
        storageFailures++;
        nodes[id].onStorageError(what);
        flushScheduled[id] = false;
        long survivingEnd = disks[id].crash(random);
        checker.onCrash(id, survivingEnd);
        trace.add(new SimEvent(nowMs, -1, "storage", id, "write failed; node stopped, disk end " + survivingEnd,
                null));
        restartLater(id, 100 + random.nextInt(1000));
    }

    private void flush(int id, int incarnation) {
        if (nodes[id] == null || incarnations[id] != incarnation || failed[id]) {
            return;
        }
        flushScheduled[id] = false;
        if (disks[id].failNextWrite) {
            storageFailure(id, "a flush");
            return;
        }
        disks[id].flush();
        nodes[id].onLogFlushed(disks[id].endOffset());
        drain(id);
    }

    // ---- network ----

    private void send(RaftMessage message) {
        if (message.destination() == ADMIN_ID) {
            String error = message instanceof io.fjord.raft.AddRaftVoterResponse add ? "add " + add.error()
                    : "remove " + ((io.fjord.raft.RemoveRaftVoterResponse) message).error();
            adminAnswers.merge(error, 1, Integer::sum);
            trace.add(new SimEvent(nowMs, -1, "admin", message.source(), message, null));
            return;
        }
        if (!network.canDeliver(message)) {
            return;
        }
        int incarnation = incarnations[message.destination()];
        for (long delayMs : network.delaysFor(random)) {
            schedule(nowMs + delayMs, "deliver", message.destination(), message, () -> deliver(message, incarnation));
        }
    }

    private void deliver(RaftMessage message, int incarnation) {
        int id = message.destination();
        // A partition also cuts messages in flight; a restarted node never gets its previous life's messages.
        if (nodes[id] == null || incarnations[id] != incarnation || !network.canDeliver(message)) {
            return;
        }
        nodes[id].handle(message);
        drain(id);
    }

    // ---- client ----

    private void propose() {
        int target = pickProposalTarget();
        if (target >= 0) {
            int count = 1 + random.nextInt(6);
            List<byte[]> payloads = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                payloads.add(payload("p" + (proposals++), random.nextInt(200)));
            }
            // A client backs off from a leader that is far ahead of its commits (the core leaves that to callers).
            RaftNode node = nodes[target];
            if (node.role() == Role.LEADER && node.logEndOffset() - node.highWatermark() > MAX_CLIENT_BACKLOG) {
                schedule(nowMs + 10 + random.nextInt(150), "propose", target, "backlog", this::propose);
                return;
            }
            ProposeResult result = node.propose(payloads);
            if (result.error() == Errors.NONE) {
                drain(target);
            }
        }
        schedule(nowMs + 10 + random.nextInt(150), "propose", target, null, this::propose);
    }

    private int pickProposalTarget() {
        List<Integer> up = new ArrayList<>();
        List<Integer> leaders = new ArrayList<>();
        for (int id = 0; id < nodeCount; id++) {
            if (isUp(id)) {
                up.add(id);
                if (nodes[id].role() == Role.LEADER) {
                    leaders.add(id);
                }
            }
        }
        List<Integer> pool = !leaders.isEmpty() && random.nextInt(10) < 8 ? leaders : up;
        return pool.isEmpty() ? -1 : pool.get(random.nextInt(pool.size()));
    }

    private byte[] payload(String id, int fillerBytes) {
        byte[] name = (seed + ":" + id + ":").getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[name.length + fillerBytes];
        System.arraycopy(name, 0, payload, 0, name.length);
        for (int i = name.length; i < payload.length; i++) {
            payload[i] = (byte) random.nextInt(256);
        }
        return payload;
    }

    // ---- faults ----

    private void fault() {
        if (nowMs >= FAULT_PHASE_MS) {
            return;
        }
        String what = faults.injectOne();
        trace.add(new SimEvent(nowMs, -1, "fault", -1, what + "; network " + network, null));
        schedule(nowMs + 50 + random.nextInt(faultIntervalMaxMs), "fault", -1, "next fault", this::fault);
    }

    boolean isUp(int id) {
        return nodes[id] != null && !failed[id];
    }

    boolean isLeader(int id) {
        return isUp(id) && nodes[id].role() == Role.LEADER;
    }

    /** Restarts node {@code id} after {@code delayMs} unless something restarted it already. */
    void restartLater(int id, long delayMs) {
        int incarnation = incarnations[id];
        schedule(nowMs + delayMs, "restart", id, null, () -> {
            if (nodes[id] == null || (failed[id] && incarnations[id] == incarnation)) {
                start(id);
            }
        });
    }

    /** Arms a storage fault on node {@code id}: its next write fails. */
    void armStorageFault(int id) {
        disks[id].failNextWrite = true;
    }

    /** The leader resigns (controlled shutdown); with {@code shutDown} it then stops and restarts later. */
    String resignLeader(boolean shutDown) {
        for (int id = 0; id < nodeCount; id++) {
            if (isLeader(id) && nodes[id].resign()) {
                resignations++;
                drain(id);
                if (shutDown) {
                    int leader = id;
                    int incarnation = incarnations[id];
                    schedule(nowMs + random.nextInt(50), "shutdown", id, null, () -> {
                        if (isUp(leader) && incarnations[leader] == incarnation) {
                            crash(leader);
                            restartLater(leader, 200 + random.nextInt(1300));
                        }
                    });
                }
                return "n" + id + " resigns" + (shutDown ? " and shuts down" : "");
            }
        }
        return "no leader to resign";
    }

    // ---- snapshots and voter changes ----

    /** A random node's state machine snapshots what it applied, and tells its core. */
    private void takeSnapshot() {
        int id = random.nextInt(nodeCount);
        SimStateMachine stateMachine = stateMachines[id];
        SimDisk disk = disks[id];
        long offset = stateMachine.appliedOffset;
        if (isUp(id) && !disk.failNextWrite && offset > disk.startOffset) {
            RaftNode node = nodes[id];
            OffsetAndEpoch snapshotId = new OffsetAndEpoch(offset, disk.entry(offset - 1).epoch());
            disk.saveSnapshot(snapshotId, stateMachine.snapshot(node.votersAt(offset), random));
            checker.onSnapshotCreated(id, offset, stateMachine.chain);
            trace.add(new SimEvent(nowMs, -1, "snapshot", id, snapshotId, null));
            if (node.onSnapshotCreated(snapshotId)) {
                snapshotsCreated++;
            }
            drain(id);
        }
        schedule(nowMs + 200 + random.nextInt(2000), "snapshot", -1, null, this::takeSnapshot);
    }

    /** The admin asks the leader to add an observer (up to 5 voters) or remove a voter (down to 3). */
    private void changeVoters() {
        if (nowMs >= FAULT_PHASE_MS) {
            return;
        }
        int leader = -1;
        for (int id = 0; id < nodeCount; id++) {
            if (isLeader(id) && (leader < 0 || nodes[id].epoch() > nodes[leader].epoch())) {
                leader = id;
            }
        }
        if (leader >= 0) {
            VoterSet voters = nodes[leader].voters();
            List<Integer> observers = new ArrayList<>();
            for (int id = 0; id < nodeCount; id++) {
                if (!voters.containsId(id)) {
                    observers.add(id);
                }
            }
            boolean add = voters.size() < 5 && !observers.isEmpty() && (voters.size() <= 3 || random.nextBoolean());
            RaftMessage request = null;
            if (add) {
                int target = observers.get(random.nextInt(observers.size()));
                request = new AddRaftVoterRequest(ADMIN_ID, leader, adminCorrelationId++, 5_000, target,
                        directoryOf(target), true);
            } else if (voters.size() > 3) {
                List<Integer> ids = voters.idsList();
                int target = random.nextInt(3) == 0 ? leader : ids.get(random.nextInt(ids.size()));
                request = new RemoveRaftVoterRequest(ADMIN_ID, leader, adminCorrelationId++, target,
                        directoryOf(target));
            }
            if (request != null) {
                trace.add(new SimEvent(nowMs, -1, "admin", leader, request, null));
                nodes[leader].handle(request);
                drain(leader);
            }
        }
        schedule(nowMs + 200 + random.nextInt(1300), "voters", -1, null, this::changeVoters);
    }

    private void heal() {
        network.heal();
        network.dropProbability = 0;
        network.duplicateProbability = 0;
        network.maxDelayMs = Math.min(network.maxDelayMs, 20);
        for (int id = 0; id < nodeCount; id++) {
            disks[id].failNextWrite = false;
            if (nodes[id] == null || failed[id]) {
                start(id);
            }
        }
        healedAtMs = nowMs;
        probe = payload("probe", 8);
        checker.watchCommit(probe);
        proposeProbe();
    }

    private void proposeProbe() {
        if (livenessMetAtMs >= 0) {
            return;
        }
        if (checker.watchedPayloadOffset() < 0) {
            for (int id = 0; id < nodeCount; id++) {
                if (isLeader(id)) {
                    if (nodes[id].propose(List.of(probe)).error() == Errors.NONE) {
                        drain(id);
                    }
                }
            }
        }
        schedule(nowMs + 250, "probe", -1, null, this::proposeProbe);
    }

    private void checkProbe() {
        long offset = checker.watchedPayloadOffset();
        if (offset < 0 || livenessMetAtMs >= 0) {
            return;
        }
        for (int id = 0; id < nodeCount; id++) {
            if (!isUp(id) || nodes[id].highWatermark() <= offset) {
                return;
            }
        }
        livenessMetAtMs = nowMs;
    }

    // ---- scheduling and reporting ----

    private void schedule(long atMs, String kind, int nodeId, Object detail, Runnable action) {
        queue.add(new SimEvent(atMs, sequence++, kind, nodeId, detail, action));
    }

    private String failureReport(Throwable failure) {
        StringBuilder report = new StringBuilder();
        report.append(String.format("Raft simulation failed: seed %d (%d voters, %d nodes) at %d ms: %s%n"
                + "Replay: mvn -o -pl raft -am verify -Dtest=RaftSimulationTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Draft.sim.firstSeed=%d -Draft.sim.seeds=1%n", seed, voterCount, nodeCount, nowMs,
                failure.getMessage(), seed));
        report.append(String.format("Last %d of %d events:%n", Math.min(TRACE_TAIL, trace.size()), trace.size()));
        for (int i = Math.max(0, trace.size() - TRACE_TAIL); i < trace.size(); i++) {
            report.append(trace.get(i)).append('\n');
        }
        report.append("Node states:\n");
        for (int id = 0; id < nodeCount; id++) {
            RaftNode node = nodes[id];
            report.append(node == null ? String.format("n%d down, disk [%d, %d)%n", id, disks[id].startOffset,
                    disks[id].endOffset())
                    : String.format("n%d %s%s epoch %d leader %d hw %d log [%d, %d) flushed %d voters %s%n", id,
                            node.role(), failed[id] ? " (storage failed)" : "", node.epoch(), node.leaderId(),
                            node.highWatermark(), node.logStartOffset(), node.logEndOffset(),
                            node.flushedEndOffset(), node.voters()));
        }
        return report.toString();
    }

    /** The full trace, one event a line (written to a file for a failed seed). */
    String fullTrace() {
        StringBuilder all = new StringBuilder();
        for (SimEvent event : trace) {
            all.append(event).append('\n');
        }
        return all.toString();
    }
}
