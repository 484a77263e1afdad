package io.fjord.raft.sim;

import io.fjord.protocol.Errors;
import io.fjord.raft.LogEntry;
import io.fjord.raft.ProposeResult;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RaftNode;
import io.fjord.raft.Ready;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One seeded run of a simulated quorum: nodes ({@link RaftNode} plus a {@link SimDisk} each) driven by a scheduler
 * of simulated time, a {@link SimNetwork}, a client proposing entries, and faults: crashes that lose unflushed data,
 * restarts, symmetric partitions, one-way cuts, an isolated leader, lossy, duplicating and slow links. After every
 * event the {@link InvariantChecker} runs. After the fault phase everything heals; then a leader must be elected and
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

    private final long seed;
    private final Random random;
    private final int voterCount;
    private final int nodeCount;
    private final RaftConfig baseConfig;
    private final boolean tightTimeouts;
    private final SimDisk[] disks;
    private final RaftNode[] nodes;
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

    Simulation(long seed) {
        this.seed = seed;
        // Scrambled: java.util.Random's first outputs for neighbouring seeds are alike.
        this.random = new Random(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        this.voterCount = seed % 2 == 0 ? 3 : 5;
        int observerCount = (seed / 2) % 3 == 0 ? 1 : 0;
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
        this.incarnations = new int[nodeCount];
        this.flushScheduled = new boolean[nodeCount];
        for (int id = 0; id < nodeCount; id++) {
            disks[id] = new SimDisk();
        }
        this.network = new SimNetwork(nodeCount);
        // A one-entry fetch limit makes every entry a round trip: only with a fast disk can followers keep up.
        int[] flushDelays = {5, 50, 300};
        this.flushDelayMaxMs = baseConfig.fetchMaxBytes() < 1000 ? 5 : flushDelays[random.nextInt(flushDelays.length)];
        int[] faultIntervals = {600, 1500};
        this.faultIntervalMaxMs = faultIntervals[random.nextInt(faultIntervals.length)];
        this.checker = new InvariantChecker(disks);
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
                + "%d leaders, probe committed everywhere %d ms after healing", seed, voterCount,
                nodeCount - voterCount, tightTimeouts ? "tight" : "Kafka's", trace.size(), proposals,
                checker.committed().size(), checker.leaderCount(), livenessMetAtMs - healedAtMs);
    }

    // ---- nodes ----

    private RaftConfig configOf(int id) {
        return baseConfig.withNodeId(id);
    }

    void start(int id) {
        SimDisk disk = disks[id];
        disk.flush();
        checker.onRestart(id);
        Random nodeRandom = new Random(seed * 1_000_003L + id * 7_919L + incarnations[id]);
        nodes[id] = new RaftNode(configOf(id), disk.durableState, List.copyOf(disk.entries), nodeRandom, nowMs);
        drain(id);
    }

    void crash(int id) {
        nodes[id] = null;
        incarnations[id]++;
        flushScheduled[id] = false;
        long survivingEnd = disks[id].crash(random);
        checker.onCrash(id, survivingEnd);
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

    /** Applies every Ready of node {@code id} the way a driver must: durable state, log, messages, commit. */
    private void drain(int id) {
        RaftNode node = nodes[id];
        SimDisk disk = disks[id];
        while (node.hasReady()) {
            Ready ready = node.ready();
            if (ready.durableState() != null) {
                disk.durableState = ready.durableState();
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
            for (RaftMessage message : ready.messages()) {
                send(message);
            }
            if (disk.flushedEndOffset < disk.endOffset() && !flushScheduled[id]) {
                flushScheduled[id] = true;
                int incarnation = incarnations[id];
                schedule(nowMs + random.nextInt(flushDelayMaxMs), "flush", id, null, () -> flush(id, incarnation));
            }
        }
        if (node.logEndOffset() != disk.endOffset()) {
            throw new AssertionError("node " + id + " log end " + node.logEndOffset() + " but disk end "
                    + disk.endOffset());
        }
        checkProbe();
    }

    private void flush(int id, int incarnation) {
        if (nodes[id] == null || incarnations[id] != incarnation) {
            return;
        }
        flushScheduled[id] = false;
        disks[id].flush();
        nodes[id].onLogFlushed(disks[id].endOffset());
        drain(id);
    }

    // ---- network ----

    private void send(RaftMessage message) {
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
            if (nodes[id] != null) {
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
        return nodes[id] != null;
    }

    boolean isLeader(int id) {
        return nodes[id] != null && nodes[id].role() == Role.LEADER;
    }

    /** Restarts node {@code id} after {@code delayMs} unless something restarted it already. */
    void restartLater(int id, long delayMs) {
        schedule(nowMs + delayMs, "restart", id, null, () -> {
            if (nodes[id] == null) {
                start(id);
            }
        });
    }

    private void heal() {
        network.heal();
        network.dropProbability = 0;
        network.duplicateProbability = 0;
        network.maxDelayMs = Math.min(network.maxDelayMs, 20);
        for (int id = 0; id < nodeCount; id++) {
            if (nodes[id] == null) {
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
                if (nodes[id] != null && nodes[id].role() == Role.LEADER) {
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
            if (nodes[id] == null || nodes[id].highWatermark() <= offset) {
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
            report.append(node == null ? String.format("n%d down, disk end %d%n", id, disks[id].endOffset())
                    : String.format("n%d %s epoch %d leader %d hw %d log end %d flushed %d%n", id, node.role(),
                            node.epoch(), node.leaderId(), node.highWatermark(), node.logEndOffset(),
                            node.flushedEndOffset()));
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
