package io.fjord.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * A hand-driven quorum for readable scenario tests: every node has its own clock (moved only when the test says),
 * an in-memory disk that flushes at once (with the node's latest snapshot: the voter set, then the committed data
 * payloads one a line), and messages wait in one FIFO queue until the test delivers them. Links can be cut; nodes
 * crash (losing nothing, their disks flush at once) and restart. An admin client (node id {@link #ADMIN}) sends
 * AddRaftVoter and RemoveRaftVoter; its answers are kept.
 *
 * <p>Not thread-safe: used by one test thread.
 */
final class TestCluster {
    static final int ELECTION_TIMEOUT_MS = RaftConfig.DEFAULT_ELECTION_TIMEOUT_MS;
    static final int ADMIN = 99;

    /** What one node keeps on disk: the log after its snapshot (if any), the durable state, the snapshot. */
    static final class Disk implements SnapshotReader {
        final List<LogEntry> log = new ArrayList<>();
        DurableState durableState = DurableState.INITIAL;
        OffsetAndEpoch snapshotId;
        byte[] snapshot;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        Disk() {
        }

        Disk(int epoch, int votedId, List<LogEntry> entries) {
            durableState = new DurableState(epoch, votedId);
            log.addAll(entries);
        }

        /** The offset of the first entry of {@link #log}. */
        long startOffset;

        long startOffset() {
            return startOffset;
        }

        @Override
        public long sizeInBytes(OffsetAndEpoch id) {
            return id.equals(snapshotId) ? snapshot.length : -1;
        }

        @Override
        public byte[] read(OffsetAndEpoch id, long position, int maxBytes) {
            return Arrays.copyOfRange(snapshot, (int) position, (int) Math.min(snapshot.length, position + maxBytes));
        }
    }

    private final Set<Integer> voterIds;
    private final int fetchMaxBytes;
    private final Map<Integer, Disk> disks = new TreeMap<>();
    private final Map<Integer, RaftNode> nodes = new TreeMap<>();
    private final Map<Integer, Long> clocks = new TreeMap<>();
    private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
    private final Set<List<Integer>> cutLinks = new HashSet<>();
    private final List<RaftMessage> delivered = new ArrayList<>();
    private final List<RaftMessage> adminAnswers = new ArrayList<>();
    private int restarts;
    private int adminCorrelationId;

    /** Each node's own endpoints (KIP-853), by id; none unless the test gives them. */
    private final Map<Integer, List<VoterEndpoint>> endpoints = new java.util.HashMap<>();

    private TestCluster(int voters, int observers, int fetchMaxBytes, Map<Integer, Disk> initialDisks) {
        this(voters, observers, fetchMaxBytes, initialDisks, false);
    }

    private TestCluster(int voters, int observers, int fetchMaxBytes, Map<Integer, Disk> initialDisks,
            boolean withEndpoints) {
        this.voterIds = new TreeSet<>(IntStream.range(0, voters).boxed().toList());
        this.fetchMaxBytes = fetchMaxBytes;
        if (withEndpoints) {
            for (int id = 0; id < voters + observers; id++) {
                endpoints.put(id, List.of(endpointOf(id, 9093)));
            }
        }
        for (int id = 0; id < voters + observers; id++) {
            disks.put(id, initialDisks.getOrDefault(id, new Disk()));
            clocks.put(id, 0L);
            start(id);
        }
    }

    static TestCluster of(int voters, int observers) {
        return new TestCluster(voters, observers, RaftConfig.DEFAULT_FETCH_MAX_BYTES, Map.of());
    }

    /** A static quorum whose nodes know their own endpoints (host{@code id}:9093), so voters send UpdateRaftVoter. */
    static TestCluster withEndpoints(int voters) {
        return new TestCluster(voters, 0, RaftConfig.DEFAULT_FETCH_MAX_BYTES, Map.of(), true);
    }

    /** Node {@code id}'s controller endpoint on {@code port}. */
    static VoterEndpoint endpointOf(int id, int port) {
        return new VoterEndpoint("CONTROLLER", "host" + id, port);
    }

    /** Node {@code id} listens on {@code port} from its next restart. */
    void moveEndpoint(int id, int port) {
        endpoints.put(id, List.of(endpointOf(id, port)));
    }

    /** Node {@code id} takes {@code message} (from whoever it names as source); its outputs play out later. */
    void handle(int id, RaftMessage message) {
        nodes.get(id).handle(message);
        drain(id);
    }

    /** Asks node {@code id} to upgrade {@code kraft.version}; its outputs wait in flight. */
    KraftVersionUpgrade upgradeKraftVersion(int id, int level, boolean validateOnly) {
        KraftVersionUpgrade result = nodes.get(id).upgradeKraftVersion((short) level, validateOnly);
        drain(id);
        return result;
    }

    /** A quorum whose fetch responses and snapshot chunks carry at most {@code fetchMaxBytes}. */
    static TestCluster withFetchMaxBytes(int voters, int observers, int fetchMaxBytes) {
        return new TestCluster(voters, observers, fetchMaxBytes, Map.of());
    }

    /** The log directory id of node {@code id}. */
    static UUID directoryOf(int id) {
        return new UUID(7L, id + 1);
    }

    /** A quorum whose nodes start from the given disks; a fetch response carries at most {@code fetchMaxBytes}. */
    static TestCluster fromDisks(int voters, int fetchMaxBytes, Map<Integer, Disk> initialDisks) {
        return new TestCluster(voters, 0, fetchMaxBytes, initialDisks);
    }

    static LogEntry entry(long offset, int epoch, String payload) {
        return new LogEntry(offset, epoch, EntryType.DATA, payload.getBytes(StandardCharsets.UTF_8));
    }

    static LogEntry leaderChange(long offset, int epoch, int leaderId) {
        return new LogEntry(offset, epoch, EntryType.LEADER_CHANGE,
                java.nio.ByteBuffer.allocate(4).putInt(0, leaderId).array());
    }

    RaftNode node(int id) {
        return nodes.get(id);
    }

    List<LogEntry> log(int id) {
        return disks.get(id).log;
    }

    /** The payloads of a node's data entries, as strings, in log order. */
    List<String> dataOf(int id) {
        return log(id).stream().filter(entry -> entry.type() == EntryType.DATA)
                .map(entry -> new String(entry.payload(), StandardCharsets.UTF_8)).toList();
    }

    /**
     * A node's committed data as its state machine has it: the payloads its snapshot holds, then the data payloads
     * of its log below its high watermark.
     */
    List<String> committedDataOf(int id) {
        Disk disk = disks.get(id);
        List<String> result = new ArrayList<>(snapshotDataOf(id));
        long start = disk.startOffset();
        log(id).subList(0, (int) (node(id).highWatermark() - start)).stream()
                .filter(entry -> entry.type() == EntryType.DATA)
                .map(entry -> new String(entry.payload(), StandardCharsets.UTF_8)).forEach(result::add);
        return result;
    }

    /** The data payloads a node's snapshot holds (none without one). */
    List<String> snapshotDataOf(int id) {
        Disk disk = disks.get(id);
        if (disk.snapshot == null) {
            return List.of();
        }
        int headerBytes = VoterSet.decode(disk.snapshot).orElseThrow().encode().length;
        String data = new String(disk.snapshot, headerBytes, disk.snapshot.length - headerBytes,
                StandardCharsets.UTF_8);
        return data.isEmpty() ? List.of() : List.of(data.split("\n", -1));
    }

    Disk disk(int id) {
        return disks.get(id);
    }

    /**
     * Node {@code id}'s state machine snapshots what is committed (at its high watermark; the bytes are the voter
     * set, then the committed payloads one a line, padded to take several chunks) and tells the node.
     */
    OffsetAndEpoch takeSnapshot(int id) {
        RaftNode node = nodes.get(id);
        Disk disk = disks.get(id);
        long offset = node.highWatermark();
        List<String> data = committedDataOf(id);
        OffsetAndEpoch snapshotId = new OffsetAndEpoch(offset, disk.log.get((int) (offset - 1 - disk.startOffset()))
                .epoch());
        byte[] header = node.votersAt(offset).encode();
        byte[] payload = String.join("\n", data).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, bytes, header.length, payload.length);
        disk.snapshot = bytes;
        disk.snapshotId = snapshotId;
        // The log below the snapshot goes when the node says so (Ready.logStartOffset).
        assertThat(node.onSnapshotCreated(snapshotId)).isTrue();
        drain(id);
        return snapshotId;
    }


    // ---- admin ----

    /** The admin asks node {@code to} to add {@code voterId} (with its directory id) as a voter. */
    void requestAddVoter(int to, int voterId) {
        nodes.get(to).handle(new AddRaftVoterRequest(ADMIN, to, adminCorrelationId++, 10_000, voterId,
                directoryOf(voterId), true));
        drain(to);
    }

    /** The admin asks node {@code to} to remove voter {@code voterId}. */
    void requestRemoveVoter(int to, int voterId) {
        nodes.get(to).handle(new RemoveRaftVoterRequest(ADMIN, to, adminCorrelationId++, voterId,
                directoryOf(voterId)));
        drain(to);
    }

    /** The errors of the admin's answers so far, in order. */
    List<Errors> adminAnswers() {
        return adminAnswers.stream().map(answer -> answer instanceof AddRaftVoterResponse add ? add.error()
                : ((RemoveRaftVoterResponse) answer).error()).toList();
    }

    // ---- time ----

    /** Moves one node's clock past any election timeout (2 x the base) and ticks it. */
    void expireElectionTimeout(int id) {
        advance(id, 2L * ELECTION_TIMEOUT_MS);
    }

    /** Moves one node's clock forward in 50 ms ticks. */
    void advance(int id, long ms) {
        long target = clocks.get(id) + ms;
        while (clocks.get(id) < target) {
            long now = Math.min(target, clocks.get(id) + 50);
            clocks.put(id, now);
            if (nodes.get(id) != null) {
                nodes.get(id).tick(now);
                drain(id);
            }
        }
    }

    /** Node {@code id}'s clock. */
    long clock(int id) {
        return clocks.get(id);
    }

    /** Moves every node's clock forward together in 50 ms steps, delivering messages between steps. */
    void advanceAll(long ms) {
        for (long done = 0; done < ms; done += 50) {
            for (int id : clocks.keySet()) {
                advance(id, Math.min(50, ms - done));
            }
            deliverAll();
        }
    }

    // ---- network ----

    /** Delivers messages (and the ones they cause) until none is left. */
    void deliverAll() {
        deliverUntil(() -> false);
    }

    /** Delivers messages one at a time until {@code condition} holds or none is left. */
    void deliverUntil(BooleanSupplier condition) {
        int budget = 100_000;
        while (!inFlight.isEmpty() && !condition.getAsBoolean()) {
            assertThat(--budget).as("messages keep flowing without end").isPositive();
            RaftMessage message = inFlight.poll();
            RaftNode destination = nodes.get(message.destination());
            if (destination != null && !isCut(message.source(), message.destination())) {
                delivered.add(message);
                destination.handle(message);
                drain(message.destination());
            }
        }
    }

    /** Every message delivered so far, in order. */
    List<RaftMessage> delivered() {
        return List.copyOf(delivered);
    }

    /** Drops every message waiting to be delivered. */
    void dropInFlight() {
        inFlight.clear();
    }

    /** Cuts both directions between every node of {@code side} and every node outside it. */
    void partition(int... side) {
        Set<Integer> inside = new HashSet<>();
        Arrays.stream(side).forEach(inside::add);
        for (int a : clocks.keySet()) {
            for (int b : clocks.keySet()) {
                if (inside.contains(a) != inside.contains(b)) {
                    cutLinks.add(List.of(a, b));
                }
            }
        }
    }

    /** Cuts the link from {@code from} to {@code to} only. */
    void cut(int from, int to) {
        cutLinks.add(List.of(from, to));
    }

    /** Whether a message {@code matching} has been delivered (and handled). */
    boolean wasDelivered(java.util.function.Predicate<RaftMessage> matching) {
        return delivered.stream().anyMatch(matching);
    }

    /** The messages {@code matching} that have been delivered (and handled), in order. */
    <T extends RaftMessage> List<T> deliveredOf(Class<T> type) {
        return delivered.stream().filter(type::isInstance).map(type::cast).toList();
    }

    void heal() {
        cutLinks.clear();
    }

    private boolean isCut(int from, int to) {
        return cutLinks.contains(List.of(from, to));
    }

    // ---- nodes ----

    void crash(int id) {
        nodes.put(id, null);
        inFlight.removeIf(message -> message.destination() == id);
    }

    /** Node {@code id}'s transport reports that the connection to {@code peerId} was refused or closed. */
    void peerUnreachable(int id, int peerId) {
        nodes.get(id).onPeerUnreachable(peerId);
        drain(id);
    }

    void restart(int id) {
        start(id);
    }

    private void start(int id) {
        Disk disk = disks.get(id);
        RaftConfig config = RaftConfig.withDefaults(id, voterIds).withFetchMaxBytes(fetchMaxBytes)
                .withLocalEndpoints(endpoints.getOrDefault(id, List.of()));
        nodes.put(id, new RaftNode(config, directoryOf(id), disk.durableState, disk.snapshotId,
                List.copyOf(disk.log), disk, new java.util.Random(31L * id + 1000L * restarts++), clocks.get(id)));
        drain(id);
    }

    ProposeResult propose(int id, String... payloads) {
        List<byte[]> bytes = Arrays.stream(payloads).map(p -> p.getBytes(StandardCharsets.UTF_8)).toList();
        ProposeResult result = nodes.get(id).propose(bytes);
        drain(id);
        return result;
    }

    /** Proposes and expects the node to lead. */
    void proposeAsLeader(int id, String... payloads) {
        assertThat(propose(id, payloads).error()).isEqualTo(Errors.NONE);
    }

    /** The ids of up nodes that believe they lead. */
    List<Integer> leaders() {
        return nodes.entrySet().stream().filter(e -> e.getValue() != null && e.getValue().role() == Role.LEADER)
                .map(Map.Entry::getKey).toList();
    }

    /** Node {@code id}, the leader, resigns (controlled shutdown); its EndQuorumEpoch requests wait in flight. */
    void resign(int id) {
        assertThat(nodes.get(id).resign()).as("node %d resigns", id).isTrue();
        drain(id);
    }

    /** A node's election timeout expires and the messages play out; it must become the leader. */
    void elect(int id) {
        expireElectionTimeout(id);
        deliverAll();
        assertThat(node(id).role()).as("node %d after its election", id).isEqualTo(Role.LEADER);
    }

    /** Applies a node's Ready the way a driver must; the disk flushes at once. */
    private void drain(int id) {
        RaftNode node = nodes.get(id);
        Disk disk = disks.get(id);
        while (node.hasReady()) {
            Ready ready = node.ready();
            if (ready.durableState() != null) {
                disk.durableState = ready.durableState();
            }
            for (SnapshotChunk chunk : ready.snapshotChunks()) {
                if (chunk.position() == 0) {
                    disk.partial.reset();
                }
                assertThat(chunk.position()).isEqualTo(disk.partial.size());
                disk.partial.write(chunk.bytes(), 0, chunk.bytes().length);
            }
            if (ready.installSnapshot() != null) {
                disk.snapshotId = ready.installSnapshot();
                disk.snapshot = disk.partial.toByteArray();
                disk.partial.reset();
                disk.log.clear();
                disk.startOffset = ready.installSnapshot().offset();
            }
            if (ready.logStartOffset() != Ready.NO_LOG_START_CHANGE) {
                disk.log.subList(0, (int) (ready.logStartOffset() - disk.startOffset)).clear();
                disk.startOffset = ready.logStartOffset();
            }
            long start = disk.startOffset();
            if (ready.truncateToOffset() != Ready.NO_TRUNCATION) {
                disk.log.subList((int) (ready.truncateToOffset() - start), disk.log.size()).clear();
            }
            disk.log.addAll(ready.entriesToAppend());
            for (RaftMessage message : ready.messages()) {
                if (message.destination() == ADMIN) {
                    adminAnswers.add(message);
                } else {
                    inFlight.add(message);
                }
            }
            if (!ready.entriesToAppend().isEmpty()) {
                node.onLogFlushed(start + disk.log.size());
            }
        }
    }
}
