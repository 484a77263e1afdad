package io.fjord.raft.sim;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One simulated node's storage: the log (with how much of it is flushed) and the durable state. A crash keeps the
 * durable state and the flushed entries, and a random part of the unflushed tail (what the disk happened to write).
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class SimDisk {
    final List<LogEntry> entries = new ArrayList<>();
    long flushedEndOffset;
    DurableState durableState = DurableState.INITIAL;

    long endOffset() {
        return entries.size();
    }

    void truncateTo(long offset) {
        entries.subList((int) offset, entries.size()).clear();
        flushedEndOffset = Math.min(flushedEndOffset, offset);
    }

    void append(LogEntry entry) {
        if (entry.offset() != entries.size()) {
            throw new AssertionError("append of offset " + entry.offset() + " at disk end " + entries.size());
        }
        entries.add(entry);
    }

    void flush() {
        flushedEndOffset = entries.size();
    }

    /** Loses a random part of the unflushed tail; returns the surviving end offset. */
    long crash(Random random) {
        long unflushed = entries.size() - flushedEndOffset;
        long survivingEnd = flushedEndOffset + (unflushed == 0 ? 0 : random.nextLong(unflushed + 1));
        truncateTo(survivingEnd);
        flushedEndOffset = survivingEnd;
        return survivingEnd;
    }
}
