package io.fjord.raft.sim;

import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.VoterSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's safety properties, checked incrementally as the simulated nodes' disks and roles change:
 * <ul>
 *   <li><b>election safety</b>: at most one leader per epoch, ever;</li>
 *   <li><b>committed entries are final</b>: the entries below any node's high watermark form one global committed
 *       log (offset to entry); a node's entry below its high watermark must equal it, and a node that holds a
 *       committed entry never truncates it (only a crash may lose it, and only if it was not flushed);</li>
 *   <li><b>log matching</b>: two entries with the same offset and epoch, on any nodes at any times, have the same
 *       payload and the same history before them (checked with a hash chain per node against the first chain seen
 *       for each offset and epoch);</li>
 *   <li><b>leader completeness</b>: a leader of epoch e has every entry committed in an epoch below e. The checker
 *       learns of a commit when some node's high watermark passes it and notes that node's epoch then, an upper
 *       bound of the epoch the commit happened in; a leader elected late in an old epoch (its votes were delayed)
 *       may legitimately lack entries committed in newer epochs;</li>
 *   <li><b>high watermark monotonic</b> on each node within one incarnation (a restart learns it again from 0, or
 *       from its snapshot);</li>
 *   <li><b>state machines agree</b>: every node's state machine (a hash chain of what it applied, {@link #chain})
 *       equals the committed log's chain at the same offset after every apply, and every snapshot (created or
 *       installed) holds the committed log's chain at its offset, so a snapshot covers exactly a committed
 *       prefix; below a node's log start the snapshot stands in for the entries in every check above;</li>
 *   <li><b>voter changes one at a time</b>: each committed VOTERS entry differs from the voter set before it by
 *       at most one voter (so the majorities of consecutive sets overlap, and with one leader per epoch no two
 *       majorities of different voter sets elect leaders in the same epoch).</li>
 * </ul>
 * A violation throws {@link AssertionError}.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class InvariantChecker {
    static final long START_CHAIN = 17;

    private final SimDisk[] disks;
    private final Map<Integer, Integer> leaderByEpoch = new HashMap<>();
    private final List<LogEntry> committed = new ArrayList<>();
    /** The chain of the committed log up to and including each offset. */
    private final List<Long> committedChains = new ArrayList<>();
    /** For each committed entry, the epoch of the node whose high watermark revealed it (at least the commit's). */
    private final List<Integer> commitEpochs = new ArrayList<>();
    private final Map<Long, Long> chainByOffsetAndEpoch = new HashMap<>();
    private final long[][] chains;
    private final int[] chainLength;
    private final long[] heldCommitted;
    private final long[] highWatermark;
    private final long[] checkedBelowHighWatermark;
    private final Role[] roles;
    private final int[] epochs;
    private VoterSet committedVoters;
    private int committedVoterChanges;
    private byte[] watchedPayload;
    private long watchedPayloadOffset = -1;

    InvariantChecker(SimDisk[] disks, VoterSet initialVoters) {
        this.disks = disks;
        this.committedVoters = initialVoters;
        int nodes = disks.length;
        chains = new long[nodes][64];
        chainLength = new int[nodes];
        heldCommitted = new long[nodes];
        highWatermark = new long[nodes];
        checkedBelowHighWatermark = new long[nodes];
        roles = new Role[nodes];
        epochs = new int[nodes];
        Arrays.fill(roles, Role.UNATTACHED);
    }

    /** The state-machine and log-matching hash: the chain after {@code entry}, given the chain before it. */
    static long chain(long previous, LogEntry entry) {
        return previous * 1_000_003L + entry.epoch() * 31L + entry.type().ordinal()
                + Arrays.hashCode(entry.payload()) * 7_919L;
    }

    List<LogEntry> committed() {
        return committed;
    }

    int committedVoterChanges() {
        return committedVoterChanges;
    }

    /** Reports the offset at which {@code payload} gets committed, once it is. */
    void watchCommit(byte[] payload) {
        watchedPayload = payload;
        watchedPayloadOffset = -1;
        for (int offset = 0; offset < committed.size(); offset++) {
            noteWatched(committed.get(offset));
        }
    }

    long watchedPayloadOffset() {
        return watchedPayloadOffset;
    }

    void onTruncate(int node, long offset) {
        if (offset < heldCommitted[node]) {
            fail("node %d truncated to %d, below its committed entries (it held %d of them)", node, offset,
                    heldCommitted[node]);
        }
        chainLength[node] = (int) Math.min(chainLength[node], offset);
    }

    void onAppend(int node, LogEntry entry) {
        int length = chainLength[node];
        if (entry.offset() != length) {
            fail("node %d appended offset %d at chain length %d", node, entry.offset(), length);
        }
        long previous = length == 0 ? START_CHAIN : chains[node][length - 1];
        long chain = chain(previous, entry);
        ensureChainCapacity(node, length + 1);
        chains[node][length] = chain;
        chainLength[node] = length + 1;
        long key = (entry.offset() << 24) | entry.epoch();
        Long first = chainByOffsetAndEpoch.putIfAbsent(key, chain);
        if (first != null && first != chain) {
            fail("log matching: node %d has %s with a history that differs from another node's entry at the same "
                    + "offset and epoch", node, entry);
        }
    }

    private void ensureChainCapacity(int node, int length) {
        if (length > chains[node].length) {
            chains[node] = Arrays.copyOf(chains[node], Math.max(length, chains[node].length * 2));
        }
    }

    void onCrash(int node, long survivingEndOffset) {
        chainLength[node] = (int) Math.min(chainLength[node], survivingEndOffset);
        heldCommitted[node] = Math.min(heldCommitted[node], survivingEndOffset);
        roles[node] = Role.UNATTACHED;
    }

    void onRestart(int node) {
        highWatermark[node] = 0;
        checkedBelowHighWatermark[node] = 0;
    }

    /** A node's state machine wrote a snapshot of the entries below {@code offset}. */
    void onSnapshotCreated(int node, long offset, long chain) {
        checkSnapshot(node, offset, chain, "created");
    }

    /** A node installed a fetched snapshot: its log restarts empty at {@code offset}. */
    void onSnapshotInstalled(int node, long offset, long chain) {
        checkSnapshot(node, offset, chain, "installed");
        ensureChainCapacity(node, (int) offset);
        chains[node][(int) offset - 1] = chain;
        chainLength[node] = (int) offset;
        heldCommitted[node] = offset;
    }

    private void checkSnapshot(int node, long offset, long chain, String how) {
        if (offset <= 0 || offset > committed.size()) {
            fail("node %d %s a snapshot at %d but only %d entries are committed", node, how, offset,
                    committed.size());
        }
        if (committedChains.get((int) offset - 1) != chain) {
            fail("node %d %s a snapshot at %d that differs from the committed log", node, how, offset);
        }
    }

    /** A node's state machine applied every entry below {@code offset} and its state is {@code chain}. */
    void onApplied(int node, long offset, long chain) {
        if (offset > committed.size()) {
            fail("node %d applied up to %d but only %d entries are committed", node, offset, committed.size());
        }
        long expected = offset == 0 ? START_CHAIN : committedChains.get((int) offset - 1);
        if (expected != chain) {
            fail("state machine of node %d differs from the committed log after applying %d entries", node, offset);
        }
    }

    void onRoleChange(int node, RoleChange change) {
        roles[node] = change.role();
        epochs[node] = change.epoch();
        if (change.role() != Role.LEADER) {
            return;
        }
        Integer previous = leaderByEpoch.putIfAbsent(change.epoch(), node);
        if (previous != null && previous != node) {
            fail("two leaders in epoch %d: nodes %d and %d", change.epoch(), previous, node);
        }
        SimDisk disk = disks[node];
        for (long offset = disk.startOffset; offset < committed.size(); offset++) {
            if (commitEpochs.get((int) offset) >= change.epoch()) {
                continue;
            }
            if (!committed.get((int) offset).equals(disk.entry(offset))) {
                fail("leader completeness: node %d leads epoch %d without committed entry %s", node, change.epoch(),
                        committed.get((int) offset));
            }
        }
    }

    void onHighWatermark(int node, long offset) {
        if (offset < highWatermark[node]) {
            fail("node %d high watermark went back from %d to %d", node, highWatermark[node], offset);
        }
        highWatermark[node] = offset;
        SimDisk disk = disks[node];
        if (offset > disk.endOffset()) {
            fail("node %d high watermark %d beyond its log end %d", node, offset, disk.endOffset());
        }
        for (long o = Math.max(checkedBelowHighWatermark[node], disk.startOffset); o < offset; o++) {
            LogEntry entry = disk.entry(o);
            if (o < committed.size()) {
                if (!committed.get((int) o).equals(entry)) {
                    fail("committed entry changed: node %d has %s below its high watermark %d, committed was %s",
                            node, entry, offset, committed.get((int) o));
                }
            } else if (o == committed.size()) {
                register(entry, epochs[node]);
            } else {
                fail("node %d commits offset %d but the committed log ends at %d", node, o, committed.size());
            }
        }
        checkedBelowHighWatermark[node] = Math.max(checkedBelowHighWatermark[node], offset);
    }

    private void register(LogEntry entry, int commitEpoch) {
        long previous = committedChains.isEmpty() ? START_CHAIN : committedChains.get(committedChains.size() - 1);
        committed.add(entry);
        committedChains.add(chain(previous, entry));
        commitEpochs.add(commitEpoch);
        noteWatched(entry);
        if (entry.type() == EntryType.VOTERS) {
            VoterSet voters = VoterSet.decode(entry.payload()).orElseThrow();
            if (voters.distanceTo(committedVoters) > 1) {
                fail("voter change of more than one voter committed at %d: %s after %s", entry.offset(), voters,
                        committedVoters);
            }
            committedVoters = voters;
            committedVoterChanges++;
        }
        for (int node = 0; node < roles.length; node++) {
            if (roles[node] == Role.LEADER && epochs[node] > commitEpoch && entry.offset() >= disks[node].startOffset
                    && !entry.equals(disks[node].entry(entry.offset()))) {
                fail("leader completeness: node %d leads epoch %d without newly committed %s", node, epochs[node],
                        entry);
            }
        }
    }

    private void noteWatched(LogEntry entry) {
        if (watchedPayload != null && watchedPayloadOffset < 0 && Arrays.equals(entry.payload(), watchedPayload)) {
            watchedPayloadOffset = entry.offset();
        }
    }

    /** Extends each node's run of held committed entries (it may only grow, except by a crash). */
    void afterEvent() {
        for (int node = 0; node < disks.length; node++) {
            SimDisk disk = disks[node];
            long held = Math.max(heldCommitted[node], disk.startOffset);
            long bound = Math.min(disk.endOffset(), committed.size());
            while (held < bound && disk.entry(held).equals(committed.get((int) held))) {
                held++;
            }
            heldCommitted[node] = held;
        }
    }

    /** How many epochs had a leader. */
    int leaderCount() {
        return leaderByEpoch.size();
    }

    private static void fail(String format, Object... arguments) {
        throw new AssertionError(String.format(format, arguments));
    }
}
