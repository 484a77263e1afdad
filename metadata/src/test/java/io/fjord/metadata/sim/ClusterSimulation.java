package io.fjord.metadata.sim;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.quorum.MetadataEntries;
import io.fjord.metadata.quorum.MetadataSnapshots;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.sim.SimController.NodeMetadata;
import io.fjord.metadata.sim.SimController.Operation;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RaftNode;
import io.fjord.raft.Ready;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.VoterSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One seeded run of a whole simulated cluster in one thread and simulated time: 3 or 5 Raft voters ({@link RaftNode}
 * cores over a {@link SimLog} each) running the controller ({@link SimController}: the production decision classes),
 * and brokers (broker-only observers, and some voters co-located with a broker) that register, heartbeat with the
 * metadata offset they applied, stop when told after a controlled shutdown and restart with new incarnations. Every
 * node applies its committed entries into its own image as the metadata loader does. An admin creates and deletes
 * topics, runs preferred and unclean elections and asks brokers to shut down; faults crash nodes (losing unflushed
 * entries), partition the network (both ways, one way, or around the active controller), make links lossy and make
 * the leader resign (controller failover). {@link ClusterInvariants} checks every committed entry and every image a
 * node applies. After the fault phase everything heals; then within {@link #LIVENESS_BOUND_MS} one controller must be
 * active, every broker registered with its current incarnation and unfenced, every partition led, and every node's
 * image the same.
 *
 * <p>Everything random comes from the seed, so a seed replays exactly. Not thread-safe: one thread runs a simulation.
 */
final class ClusterSimulation {
    static final long FAULT_PHASE_MS = 60_000;
    static final long LIVENESS_BOUND_MS = 40_000;
    static final String CLUSTER_ID = "cluster-sim";
    private static final long SESSION_TIMEOUT_MS = 9_000;
    private static final long HEARTBEAT_INTERVAL_MS = 2_000;
    private static final long REQUEST_TIMEOUT_MS = 4_000;
    private static final int TICK_INTERVAL_MS = 20;
    private static final int FLUSH_DELAY_MAX_MS = 30;
    private static final int TRACE_TAIL = 80;

    /** A broker process's lifecycle state (the simulation's BrokerLifecycleManager). */
    private static final class BrokerProcess {
        final UUID incarnationId;
        long epoch = -1;
        boolean wantShutDown;
        int requestId;
        long outstandingSinceMs = -1;

        BrokerProcess(UUID incarnationId) {
            this.incarnationId = incarnationId;
        }
    }

    private record Event(long timeMs, long sequence, Runnable action) {
    }

    private final long seed;
    private final Random random;
    private final int voterCount;
    private final int nodeCount;
    private final boolean[] brokerRole;
    private final boolean uncleanLeaderElectionEnable;
    private final boolean snapshots;
    private final RaftConfig baseConfig;
    private final SimLog[] logs;
    private final RaftNode[] rafts;
    private final NodeMetadata[] metadata;
    private final SimController[] controllers;
    private final BrokerProcess[] brokers;
    private final int[] incarnations;
    private final int[] brokerRestarts;
    private final boolean[] flushScheduled;
    /** When each controller's one-shot timer fires next (Long.MAX_VALUE: not armed), as QuorumController arms it. */
    private final long[] wakeUpAtMs;
    /** Each controller's finished operations when its timer was last armed. */
    private final long[] armedAfterFinished;
    private final boolean[][] cut;
    private double dropProbability;
    private int partitionGeneration;
    private final ClusterInvariants invariants = new ClusterInvariants();
    private final SimAdmin admin;
    private final SimTrace trace;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            Comparator.comparingLong(Event::timeMs).thenComparingLong(Event::sequence));
    private long sequence;
    private long nowMs;
    private long events;
    private long healedAtMs = -1;
    private long livenessMetAtMs = -1;
    private int crashes;
    private int registrations;
    private int controlledShutdowns;
    private int activeControllerChanges;
    private int lastActiveController = -1;
    private int snapshotsCreated;
    private int snapshotsInstalled;

    ClusterSimulation(long seed) {
        this.seed = seed;
        // Scrambled: java.util.Random's first outputs for neighbouring seeds are alike.
        this.random = new Random(seed * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL);
        this.trace = new SimTrace(() -> nowMs);
        this.voterCount = seed % 2 == 0 ? 3 : 5;
        this.nodeCount = voterCount + 1 + random.nextInt(2);
        this.brokerRole = new boolean[nodeCount];
        int brokerCount = 0;
        for (int id = 0; id < nodeCount; id++) {
            // Observers are broker-only nodes; a voter is co-located with a broker (process.roles=broker,controller)
            // two times in three, and at least three nodes are brokers.
            brokerRole[id] = id >= voterCount || random.nextInt(3) != 0 || id < 3 - (nodeCount - voterCount);
            brokerCount += brokerRole[id] ? 1 : 0;
        }
        if (brokerCount < 3) {
            throw new IllegalStateException("fewer than three brokers");
        }
        this.uncleanLeaderElectionEnable = random.nextInt(4) == 0;
        this.snapshots = random.nextInt(3) != 0;
        this.admin = new SimAdmin(random);
        Set<Integer> voters = new TreeSet<>();
        for (int id = 0; id < voterCount; id++) {
            voters.add(id);
        }
        this.baseConfig = RaftConfig.withDefaults(0, voters).withTimeouts(1000, 2000, 1000, 500, 500);
        this.logs = new SimLog[nodeCount];
        this.rafts = new RaftNode[nodeCount];
        this.metadata = new NodeMetadata[nodeCount];
        this.controllers = new SimController[nodeCount];
        this.brokers = new BrokerProcess[nodeCount];
        this.incarnations = new int[nodeCount];
        this.wakeUpAtMs = new long[nodeCount];
        this.armedAfterFinished = new long[nodeCount];
        this.brokerRestarts = new int[nodeCount];
        this.flushScheduled = new boolean[nodeCount];
        this.cut = new boolean[nodeCount][nodeCount];
        for (int id = 0; id < nodeCount; id++) {
            logs[id] = new SimLog();
        }
    }

    /** Runs the seed to the end; returns a one-line summary. */
    String run() {
        try {
            trace.note(String.format("seed %d: %d voters, %d nodes, brokers %s, unclean elections %s, snapshots %s",
                    seed, voterCount, nodeCount, brokerIds(), uncleanLeaderElectionEnable, snapshots));
            for (int id = 0; id < nodeCount; id++) {
                start(id);
            }
            schedule(200 + random.nextInt(1000), "first fault", this::fault);
            schedule(500 + random.nextInt(1000), "first admin operation", this::adminStep);
            schedule(FAULT_PHASE_MS, "heal", this::heal);
            if (snapshots) {
                schedule(500 + random.nextInt(4_000), "snapshot", this::takeSnapshot);
            }
            long endMs = FAULT_PHASE_MS + LIVENESS_BOUND_MS;
            while (!queue.isEmpty() && livenessMetAtMs < 0) {
                Event event = queue.poll();
                if (event.timeMs() > endMs) {
                    break;
                }
                nowMs = event.timeMs();
                events++;
                event.action().run();
                noteActiveController();
            }
            if (livenessMetAtMs < 0) {
                throw new AssertionError("liveness: the cluster did not settle within " + LIVENESS_BOUND_MS
                        + " ms of healing at " + healedAtMs + " ms: " + unsettled());
            }
        } catch (AssertionError | RuntimeException failure) {
            throw new AssertionError(failureReport(failure), failure);
        }
        return String.format("seed %d: %d voters, %d nodes (brokers %s), unclean %s: %d events, %d entries committed,"
                + " %d topics created, %d crashes, %d registrations, %d fencings, %d controlled shutdowns, "
                + "%d leader changes (%d unclean), %d active controller changes, %d snapshots created, %d installed, "
                + "settled %d ms after healing",
                seed, voterCount, nodeCount, brokerIds(), uncleanLeaderElectionEnable, events,
                invariants.committedEndOffset(), admin.topicsCreated(), crashes, registrations, invariants.fencings(),
                controlledShutdowns, invariants.leaderChanges(), invariants.uncleanElections(),
                activeControllerChanges, snapshotsCreated, snapshotsInstalled, livenessMetAtMs - healedAtMs);
    }

    String fullTrace() {
        return trace.all();
    }

    private List<Integer> brokerIds() {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < nodeCount; id++) {
            if (brokerRole[id]) {
                ids.add(id);
            }
        }
        return ids;
    }

    // ---------------------------------------------------------------- node processes

    private boolean isVoter(int id) {
        return id < voterCount;
    }

    private boolean isUp(int id) {
        return rafts[id] != null;
    }

    private void start(int id) {
        SimLog log = logs[id];
        log.flush(); // what survived the crash is on disk
        invariants.onRestart(id);
        Random nodeRandom = new Random(seed * 1_000_003L + id * 7_919L + incarnations[id]);
        rafts[id] = new RaftNode(baseConfig.withNodeId(id), new UUID(0xF10DL, id + 1), log.durableState,
                log.snapshotId, log.entries(), log, nodeRandom, nowMs);
        metadata[id] = new NodeMetadata();
        if (log.snapshotId != null) {
            loadSnapshot(id, log.snapshotId); // as the driver hands the latest snapshot to the loader first
        }
        int incarnation = incarnations[id];
        if (isVoter(id)) {
            controllers[id] = new SimController(id, CLUSTER_ID, SESSION_TIMEOUT_MS, uncleanLeaderElectionEnable,
                    () -> nowMs, new Random(nodeRandom.nextLong()), seed * 31 + incarnation);
            wakeUpAtMs[id] = Long.MAX_VALUE;
            armedAfterFinished[id] = 0;
            armWakeUp(id, controllers[id].maintenance.periodMs());
        }
        if (brokerRole[id]) {
            brokers[id] = new BrokerProcess(new UUID(id + 1, ++brokerRestarts[id]));
            scheduleRepeating(id, incarnation, random.nextInt(100), HEARTBEAT_INTERVAL_MS, () -> brokerTick(id));
        }
        scheduleRepeating(id, incarnation, 1 + random.nextInt(TICK_INTERVAL_MS), TICK_INTERVAL_MS, () -> {
            rafts[id].tick(nowMs);
            drain(id);
        });
        trace.note("n" + id + " starts (incarnation " + incarnation + ", log end " + log.endOffset() + ")");
        drain(id);
    }

    /** The process stops: the Raft core, the controller, the broker and the applied image go; the log stays. */
    private void crash(int id, boolean clean) {
        if (clean) {
            logs[id].flush();
        }
        long survivingEnd = logs[id].crash(random);
        rafts[id] = null;
        controllers[id] = null;
        brokers[id] = null;
        metadata[id] = null;
        flushScheduled[id] = false;
        incarnations[id]++;
        crashes += clean ? 0 : 1;
        trace.note("n" + id + (clean ? " stops" : " crashes") + ", log end " + survivingEnd);
        for (int other = 0; other < nodeCount; other++) {
            if (other != id && isUp(other)) {
                int receiver = other;
                int incarnation = incarnations[other];
                schedule(nowMs + 1 + random.nextInt(10), "unreachable", () -> {
                    if (isUp(receiver) && incarnations[receiver] == incarnation) {
                        rafts[receiver].onPeerUnreachable(id);
                        drain(receiver);
                    }
                });
            }
        }
    }

    private void restartLater(int id, long delayMs) {
        int incarnation = incarnations[id];
        schedule(nowMs + delayMs, "restart", () -> {
            if (!isUp(id) && incarnations[id] == incarnation) {
                start(id);
            }
        });
    }

    /** Applies every Ready of node {@code id} as the Raft driver does, and runs its controller. */
    private void drain(int id) {
        RaftNode raft = rafts[id];
        SimLog log = logs[id];
        boolean more = true;
        while (more) {
            while (raft.hasReady()) {
                Ready ready = raft.ready();
                if (ready.durableState() != null) {
                    log.durableState = ready.durableState();
                }
                for (SnapshotChunk chunk : ready.snapshotChunks()) {
                    log.writeChunk(chunk);
                }
                if (ready.installSnapshot() != null) {
                    invariants.onTruncate(id, ready.installSnapshot().offset());
                    log.installPartial(ready.installSnapshot());
                    snapshotsInstalled++;
                    trace.note("n" + id + " installs snapshot " + ready.installSnapshot());
                    loadSnapshot(id, ready.installSnapshot());
                }
                if (ready.logStartOffset() != Ready.NO_LOG_START_CHANGE) {
                    log.deletePrefix(ready.logStartOffset());
                }
                if (ready.truncateToOffset() != Ready.NO_TRUNCATION) {
                    invariants.onTruncate(id, ready.truncateToOffset());
                    log.truncateTo(ready.truncateToOffset());
                }
                for (LogEntry entry : ready.entriesToAppend()) {
                    log.append(entry);
                }
                for (RoleChange change : ready.roleChanges()) {
                    trace.note("n" + id + " " + change.role() + " in epoch " + change.epoch() + " (leader "
                            + change.leaderId() + ")");
                }
                invariants.onHighWatermark(id, log, ready.highWatermark());
                apply(id, ready.highWatermark());
                for (RaftMessage message : ready.messages()) {
                    sendRaft(message);
                }
                if (log.flushedEndOffset < log.endOffset() && !flushScheduled[id]) {
                    flushScheduled[id] = true;
                    int incarnation = incarnations[id];
                    schedule(nowMs + random.nextInt(FLUSH_DELAY_MAX_MS), "flush", () -> flush(id, incarnation));
                }
            }
            more = controllers[id] != null && controllers[id].run(raft, metadata[id], trace);
        }
        SimController controller = controllers[id];
        if (controller != null && controller.finished() != armedAfterFinished[id]) {
            // QuorumController re-arms after every operation or check: at the next lease expiry.
            armedAfterFinished[id] = controller.finished();
            armWakeUp(id, controller.nextCheckDelayMs(raft, metadata[id]));
        }
    }

    /** The controller's one-shot timer: fires in {@code delayMs} unless armed sooner already; enqueues a check. */
    private void armWakeUp(int id, long delayMs) {
        long atMs = nowMs + delayMs;
        if (atMs >= wakeUpAtMs[id]) {
            return;
        }
        wakeUpAtMs[id] = atMs;
        int incarnation = incarnations[id];
        schedule(atMs, "timer", () -> {
            if (!isUp(id) || incarnations[id] != incarnation || wakeUpAtMs[id] != atMs) {
                return; // the node restarted, or the timer was re-armed sooner (a cancelled wake-up)
            }
            wakeUpAtMs[id] = Long.MAX_VALUE;
            controllers[id].submitPeriodic();
            drain(id);
        });
    }

    /** The node's metadata loader: committed entries it has not applied go into one delta, then one image. */
    private void apply(int id, long highWatermark) {
        NodeMetadata applied = metadata[id];
        if (applied.appliedEndOffset >= highWatermark) {
            return;
        }
        MetadataDelta delta = null;
        long end = applied.appliedEndOffset;
        int epoch = applied.leaderChangeEpoch;
        while (end < highWatermark) {
            LogEntry entry = logs[id].entry(end);
            if (entry.type() == EntryType.DATA) {
                if (delta == null) {
                    delta = new MetadataDelta(applied.image);
                }
                for (MetadataRecord record : MetadataEntries.decode(entry.payload())) {
                    delta.replay(record, entry.offset());
                }
            } else if (entry.type() == EntryType.LEADER_CHANGE) {
                epoch = Math.max(epoch, entry.epoch());
            }
            end++;
        }
        if (delta != null) {
            applied.image = delta.apply();
        }
        applied.appliedEndOffset = end;
        applied.leaderChangeEpoch = epoch;
        invariants.onApplied(id, end, applied.image);
    }

    /** The loader replaces its image by the snapshot's, as {@code MetadataLoader} does with one the driver loaded. */
    private void loadSnapshot(int id, OffsetAndEpoch snapshotId) {
        byte[] bytes = logs[id].snapshot;
        int votersBytes = VoterSet.encodedSizeBytes(bytes);
        NodeMetadata applied = metadata[id];
        applied.image = MetadataSnapshots.decode(Arrays.copyOfRange(bytes, votersBytes, bytes.length));
        applied.appliedEndOffset = snapshotId.offset();
        applied.leaderChangeEpoch = Math.max(applied.leaderChangeEpoch, snapshotId.epoch());
        invariants.onApplied(id, applied.appliedEndOffset, applied.image);
    }

    /** A random node snapshots its applied image, as the loader does past its policy's bytes or interval. */
    private void takeSnapshot() {
        schedule(nowMs + 500 + random.nextInt(4_000), "snapshot", this::takeSnapshot);
        int id = random.nextInt(nodeCount);
        if (!isUp(id)) {
            return;
        }
        SimLog log = logs[id];
        long offset = metadata[id].appliedEndOffset;
        if (offset <= log.startOffset || log.entry(offset - 1) == null) {
            return;
        }
        OffsetAndEpoch snapshotId = new OffsetAndEpoch(offset, log.entry(offset - 1).epoch());
        byte[] voters = rafts[id].votersAt(offset).encode();
        byte[] state = MetadataSnapshots.encode(metadata[id].image, Integer.MAX_VALUE);
        byte[] bytes = Arrays.copyOf(voters, voters.length + state.length);
        System.arraycopy(state, 0, bytes, voters.length, state.length);
        log.saveSnapshot(snapshotId, bytes);
        if (rafts[id].onSnapshotCreated(snapshotId)) {
            snapshotsCreated++;
            trace.note("n" + id + " snapshots at " + snapshotId);
        }
        drain(id);
    }

    private void flush(int id, int incarnation) {
        if (!isUp(id) || incarnations[id] != incarnation) {
            return;
        }
        flushScheduled[id] = false;
        logs[id].flush();
        rafts[id].onLogFlushed(logs[id].endOffset());
        drain(id);
    }

    // ---------------------------------------------------------------- network

    private boolean linkUp(int from, int to) {
        return from == to || !cut[from][to];
    }

    private void sendRaft(RaftMessage message) {
        int to = message.destination();
        if (!linkUp(message.source(), to) || random.nextDouble() < dropProbability) {
            return;
        }
        int incarnation = incarnations[to];
        schedule(nowMs + 1 + random.nextInt(20), "deliver", () -> {
            if (isUp(to) && incarnations[to] == incarnation && linkUp(message.source(), to)) {
                rafts[to].handle(message);
                drain(to);
            }
        });
    }

    /** Runs {@code action} on node {@code to} after a network delay, if the link and the receiving process last. */
    private void sendRpc(int from, int to, Runnable action) {
        if (!linkUp(from, to) || (from != to && random.nextDouble() < dropProbability)) {
            return;
        }
        int incarnation = incarnations[to];
        schedule(nowMs + 1 + random.nextInt(20), "rpc", () -> {
            if (isUp(to) && incarnations[to] == incarnation && linkUp(from, to)) {
                action.run();
            }
        });
    }

    /**
     * Sends a controller request from node {@code from} to node {@code to} (the controller channel), whose controller
     * decides it with {@code decide}; the response, or the error of a refusal, travels back to {@code from}.
     */
    private void sendToController(int from, int to, String name,
                                  Function<SimController, Function<MetadataImage, ControllerResult<?>>> decide,
                                  Consumer<Object> onResponse, Consumer<Errors> onRefused) {
        sendRpc(from, to, () -> {
            SimController controller = controllers[to];
            if (controller == null) {
                sendRpc(to, from, () -> onRefused.accept(Errors.NOT_CONTROLLER));
                return;
            }
            controller.submit(new Operation(name, decide.apply(controller),
                    response -> sendRpc(to, from, () -> onResponse.accept(response)),
                    error -> sendRpc(to, from, () -> onRefused.accept(error)), false));
            drain(to);
        });
    }

    /** The controller a node's channel sends to: the quorum leader it knows, else a random voter. */
    private int controllerFor(int id) {
        int leader = rafts[id].leaderId();
        return leader >= 0 && isVoter(leader) ? leader : random.nextInt(voterCount);
    }

    // ---------------------------------------------------------------- brokers

    private void brokerTick(int id) {
        BrokerProcess broker = brokers[id];
        if (broker.outstandingSinceMs >= 0 && nowMs - broker.outstandingSinceMs < REQUEST_TIMEOUT_MS) {
            return;
        }
        sendLifecycleRequest(id);
    }

    private void sendLifecycleRequest(int id) {
        BrokerProcess broker = brokers[id];
        int requestId = ++broker.requestId;
        broker.outstandingSinceMs = nowMs;
        int target = controllerFor(id);
        Consumer<Errors> refused = error -> {
            if (brokers[id] == broker && broker.requestId == requestId) {
                broker.outstandingSinceMs = -1;
                trace.note("n" + id + " lifecycle request refused by n" + target + ": " + error);
            }
        };
        if (broker.epoch < 0) {
            BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(id)
                    .setClusterId(CLUSTER_ID).setIncarnationId(broker.incarnationId).setRack(null);
            request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                    .setHost("node-" + id).setPort(9092));
            sendToController(id, target, "register n" + id,
                    controller -> image -> controller.cluster.registerBroker(image, request, nowMs),
                    response -> onRegistered(id, broker, requestId, (BrokerRegistrationResponseData) response),
                    refused);
        } else {
            long offset = metadata[id].image.offset();
            BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData().setBrokerId(id)
                    .setBrokerEpoch(broker.epoch).setCurrentMetadataOffset(offset)
                    .setWantShutDown(broker.wantShutDown);
            sendToController(id, target, "heartbeat n" + id + " epoch " + broker.epoch + " offset " + offset
                            + (broker.wantShutDown ? " wants shutdown" : ""),
                    controller -> image -> controller.cluster.heartbeat(image, request, nowMs),
                    response -> onHeartbeat(id, broker, requestId, (BrokerHeartbeatResponseData) response),
                    refused);
        }
    }

    private void onRegistered(int id, BrokerProcess broker, int requestId, BrokerRegistrationResponseData response) {
        if (brokers[id] != broker || broker.requestId != requestId) {
            return;
        }
        broker.outstandingSinceMs = -1;
        trace.note("n" + id + " registration: error " + response.errorCode() + " epoch " + response.brokerEpoch());
        if (response.errorCode() == Errors.NONE.code()) {
            registrations++;
            broker.epoch = response.brokerEpoch();
            sendLifecycleRequest(id);
        }
    }

    private void onHeartbeat(int id, BrokerProcess broker, int requestId, BrokerHeartbeatResponseData response) {
        if (brokers[id] != broker || broker.requestId != requestId) {
            return;
        }
        broker.outstandingSinceMs = -1;
        if (response.errorCode() != Errors.NONE.code()) {
            // Fenced out by a newer registration or unregistered: this incarnation registers again.
            trace.note("n" + id + " heartbeat error " + response.errorCode() + ": registers again");
            broker.epoch = -1;
        } else if (response.shouldShutDown()) {
            controlledShutdowns++;
            crash(id, true);
            restartLater(id, 200 + random.nextInt(3000));
        }
    }

    // ---------------------------------------------------------------- the admin client

    private int activeController() {
        int active = -1;
        for (int id = 0; id < voterCount; id++) {
            if (isUp(id) && rafts[id].role() == Role.LEADER
                    && metadata[id].leaderChangeEpoch >= rafts[id].epoch()
                    && (active < 0 || rafts[id].epoch() > rafts[active].epoch())) {
                active = id;
            }
        }
        return active;
    }

    private void noteActiveController() {
        int active = activeController();
        if (active >= 0 && active != lastActiveController) {
            activeControllerChanges++;
            lastActiveController = active;
        }
    }

    private void adminStep() {
        if (nowMs >= FAULT_PHASE_MS) {
            return;
        }
        schedule(nowMs + 100 + random.nextInt(1400), "admin", this::adminStep);
        int target = activeController();
        if (target < 0) {
            return;
        }
        MetadataImage current = metadata[target].image;
        int roll = random.nextInt(100);
        if (roll < 10) {
            int id = random.nextInt(nodeCount);
            if (isUp(id) && brokers[id] != null && brokers[id].epoch >= 0) {
                trace.note("admin: n" + id + " begins a controlled shutdown");
                brokers[id].wantShutDown = true;
            }
        } else if (roll < 14) {
            int id = random.nextInt(nodeCount);
            if (!isUp(id) && current.brokers().containsKey(id)) {
                submitAdmin(target, new SimAdmin.Request("unregister broker " + id, (controller, image) -> controller
                        .cluster.unregisterBroker(image, new UnregisterBrokerRequestData().setBrokerId(id))));
            }
        } else {
            SimAdmin.Request request = admin.topicRequest(current);
            if (request != null) {
                submitAdmin(target, request);
            }
        }
    }

    private void submitAdmin(int target, SimAdmin.Request request) {
        String name = request.name();
        trace.note("admin -> n" + target + ": " + name);
        SimController controller = controllers[target];
        controller.submit(new Operation("admin " + name, image -> request.decide().apply(controller, image),
                response -> trace.note("admin: " + name + " answered " + response),
                error -> trace.note("admin: " + name + " refused: " + error), false));
        drain(target);
    }

    // ---------------------------------------------------------------- faults and healing

    private void fault() {
        if (nowMs >= FAULT_PHASE_MS) {
            return;
        }
        schedule(nowMs + 300 + random.nextInt(1700), "fault", this::fault);
        int roll = random.nextInt(100);
        int id = random.nextInt(nodeCount);
        if (roll < 30) {
            if (isUp(id)) {
                crash(id, false);
                // Some come back within the session timeout, some after it (they are fenced meanwhile).
                restartLater(id, 200 + random.nextInt(15_000));
            }
        } else if (roll < 50) {
            boolean[] side = new boolean[nodeCount];
            for (int node = 0; node < nodeCount; node++) {
                side[node] = random.nextBoolean();
            }
            partition(side, "partition " + java.util.Arrays.toString(side));
        } else if (roll < 62) {
            int active = activeController();
            if (active >= 0) {
                boolean[] side = new boolean[nodeCount];
                side[active] = true;
                partition(side, "isolate the active controller n" + active);
            }
        } else if (roll < 72) {
            int active = activeController();
            if (active >= 0 && rafts[active].resign()) {
                trace.note("fault: the active controller n" + active + " resigns");
                drain(active);
            }
        } else if (roll < 82) {
            dropProbability = 0.05 + random.nextDouble() * 0.25;
            trace.note(String.format("fault: links drop %.2f of messages", dropProbability));
            int generation = ++partitionGeneration;
            schedule(nowMs + 500 + random.nextInt(8_000), "calm", () -> {
                if (partitionGeneration == generation) {
                    dropProbability = 0;
                    trace.note("fault over: no more drops");
                }
            });
        } else {
            int to = random.nextInt(nodeCount);
            if (to != id) {
                cut[id][to] = true;
                trace.note("fault: link n" + id + " -> n" + to + " cut");
                schedule(nowMs + 500 + random.nextInt(10_000), "repair", () -> cut[id][to] = false);
            }
        }
    }

    private void partition(boolean[] side, String what) {
        for (int a = 0; a < nodeCount; a++) {
            for (int b = 0; b < nodeCount; b++) {
                cut[a][b] = side[a] != side[b];
            }
        }
        trace.note("fault: " + what);
        int generation = ++partitionGeneration;
        schedule(nowMs + 500 + random.nextInt(12_000), "heal partition", () -> {
            if (partitionGeneration == generation) {
                healNetwork();
                trace.note("fault over: network healed");
            }
        });
    }

    private void healNetwork() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        dropProbability = 0;
    }

    private void heal() {
        partitionGeneration++;
        healNetwork();
        for (int id = 0; id < nodeCount; id++) {
            if (!isUp(id)) {
                start(id);
            }
        }
        healedAtMs = nowMs;
        trace.note("heal: every node up, the network whole");
        scheduleRepeating(-1, 0, 0, 500, this::checkSettled);
    }

    private void checkSettled() {
        if (livenessMetAtMs < 0 && unsettled() == null) {
            livenessMetAtMs = nowMs;
            trace.note("settled");
        }
    }

    /** What keeps the healed cluster from being settled, or null when it is. */
    private String unsettled() {
        int active = activeController();
        if (active < 0) {
            return "no active controller";
        }
        MetadataImage image = metadata[active].image;
        long endOffset = metadata[active].appliedEndOffset;
        for (int id = 0; id < nodeCount; id++) {
            if (!isUp(id)) {
                return "n" + id + " is down";
            }
            if (metadata[id].appliedEndOffset != endOffset) {
                return "n" + id + " applied up to " + metadata[id].appliedEndOffset + ", the controller " + endOffset;
            }
            if (brokerRole[id]) {
                BrokerImage broker = image.brokers().get(id);
                if (broker == null || !broker.incarnationId().equals(brokers[id].incarnationId) || !broker.active()) {
                    return "broker " + id + " (incarnation " + brokers[id].incarnationId + ") is " + broker;
                }
            }
        }
        for (TopicImage topic : image.topicsById().values()) {
            for (PartitionImage partition : topic.partitions().values()) {
                if (partition.leader() == PartitionImage.NO_LEADER) {
                    return topic.name() + "-" + partition.partitionId() + " has no leader: " + partition;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- scheduling and reporting

    private void schedule(long atMs, String kind, Runnable action) {
        queue.add(new Event(atMs, sequence++, action));
    }

    /** Runs {@code action} every {@code periodMs} while node {@code id} keeps its incarnation (-1: always). */
    private void scheduleRepeating(int id, int incarnation, long delayMs, long periodMs, Runnable action) {
        schedule(nowMs + delayMs, "timer", () -> {
            if (id >= 0 && (!isUp(id) || incarnations[id] != incarnation)) {
                return;
            }
            action.run();
            scheduleRepeating(id, incarnation, periodMs, periodMs, action);
        });
    }

    private String failureReport(Throwable failure) {
        StringBuilder report = new StringBuilder(String.format("Cluster simulation failed: seed %d (%d voters, %d "
                + "nodes, brokers %s) at %d ms: %s%nReplay: mvn -o -pl metadata -am test -Dtest=ClusterSimulationTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dcluster.sim.seeds=%d%nLast %d of %d events:%n", seed,
                voterCount, nodeCount, brokerIds(), nowMs, failure.getMessage(), seed,
                Math.min(TRACE_TAIL, trace.size()), trace.size()));
        report.append(trace.tail(TRACE_TAIL)).append("\nNodes:\n");
        for (int id = 0; id < nodeCount; id++) {
            RaftNode raft = rafts[id];
            report.append(raft == null ? String.format("n%d down, log end %d%n", id, logs[id].endOffset())
                    : String.format("n%d %s epoch %d leader %d hw %d log end %d applied %d%n", id, raft.role(),
                            raft.epoch(), raft.leaderId(), raft.highWatermark(), raft.logEndOffset(),
                            metadata[id].appliedEndOffset));
        }
        return report.toString();
    }
}
