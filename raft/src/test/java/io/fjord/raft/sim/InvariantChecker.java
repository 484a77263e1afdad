package io.fjord.raft.sim;

import io.fjord.raft.LogEntry;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
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
 *   <li><b>high watermark monotonic</b> on each node within one incarnation (a restart learns it again from 0).</li>
 * </ul>
 * A violation throws {@link AssertionError}.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class InvariantChecker {
    private final SimDisk[] disks;
    private final Map<Integer, Integer> leaderByEpoch = new HashMap<>();
    private final List<LogEntry> committed = new ArrayList<>();
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
    private byte[] watchedPayload;
    private long watchedPayloadOffset = -1;

    InvariantChecker(SimDisk[] disks) {
        this.disks = disks;
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

    List<LogEntry> committed() {
        return committed;
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
        long previous = length == 0 ? 17 : chains[node][length - 1];
        long chain = previous * 1_000_003L + entry.epoch() * 31L + entry.type().ordinal()
                + Arrays.hashCode(entry.payload()) * 7_919L;
        if (length == chains[node].length) {
            chains[node] = Arrays.copyOf(chains[node], length * 2);
        }
        chains[node][length] = chain;
        chainLength[node] = length + 1;
        long key = (entry.offset() << 24) | entry.epoch();
        Long first = chainByOffsetAndEpoch.putIfAbsent(key, chain);
        if (first != null && first != chain) {
            fail("log matching: node %d has %s with a history that differs from another node's entry at the same "
                    + "offset and epoch", node, entry);
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
        List<LogEntry> log = disks[node].entries;
        for (int offset = 0; offset < committed.size(); offset++) {
            if (commitEpochs.get(offset) >= change.epoch()) {
                continue;
            }
            if (offset >= log.size() || !log.get(offset).equals(committed.get(offset))) {
                fail("leader completeness: node %d leads epoch %d without committed entry %s", node, change.epoch(),
                        committed.get(offset));
            }
        }
    }

    void onHighWatermark(int node, long offset) {
        if (offset < highWatermark[node]) {
            fail("node %d high watermark went back from %d to %d", node, highWatermark[node], offset);
        }
        highWatermark[node] = offset;
        List<LogEntry> log = disks[node].entries;
        if (offset > log.size()) {
            fail("node %d high watermark %d beyond its log end %d", node, offset, log.size());
        }
        for (long o = checkedBelowHighWatermark[node]; o < offset; o++) {
            LogEntry entry = log.get((int) o);
            if (o < committed.size()) {
                if (!committed.get((int) o).equals(entry)) {
                    fail("committed entry changed: node %d has %s below its high watermark %d, committed was %s",
                            node, entry, offset, committed.get((int) o));
                }
            } else {
                register(entry, epochs[node]);
            }
        }
        checkedBelowHighWatermark[node] = Math.max(checkedBelowHighWatermark[node], offset);
    }

    private void register(LogEntry entry, int commitEpoch) {
        committed.add(entry);
        commitEpochs.add(commitEpoch);
        noteWatched(entry);
        for (int node = 0; node < roles.length; node++) {
            if (roles[node] == Role.LEADER && epochs[node] > commitEpoch) {
                List<LogEntry> log = disks[node].entries;
                if (entry.offset() >= log.size() || !log.get((int) entry.offset()).equals(entry)) {
                    fail("leader completeness: node %d leads epoch %d without newly committed %s", node,
                            epochs[node], entry);
                }
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
            List<LogEntry> log = disks[node].entries;
            long held = heldCommitted[node];
            long bound = Math.min(log.size(), committed.size());
            while (held < bound && log.get((int) held).equals(committed.get((int) held))) {
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
