package io.fjord.metadata.sim;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One simulated node's metadata-log storage (the small part of the Raft simulation's disk this simulation needs): the
 * entries, how many of them are flushed, and the durable state. A crash keeps the durable state, the flushed entries
 * and a random part of the unflushed tail, as a disk that wrote some of it.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class SimLog {
    private final List<LogEntry> entries = new ArrayList<>();
    long flushedEndOffset;
    DurableState durableState = DurableState.INITIAL;

    long endOffset() {
        return entries.size();
    }

    LogEntry entry(long offset) {
        return entries.get((int) offset);
    }

    List<LogEntry> entries() {
        return List.copyOf(entries);
    }

    void truncateTo(long offset) {
        entries.subList((int) offset, entries.size()).clear();
        flushedEndOffset = Math.min(flushedEndOffset, offset);
    }

    void append(LogEntry entry) {
        if (entry.offset() != endOffset()) {
            throw new AssertionError("append of offset " + entry.offset() + " at log end " + endOffset());
        }
        entries.add(entry);
    }

    void flush() {
        flushedEndOffset = endOffset();
    }

    /** Loses a random part of the unflushed tail; returns the surviving end offset. */
    long crash(Random random) {
        long unflushed = endOffset() - flushedEndOffset;
        long survivingEnd = flushedEndOffset + (unflushed == 0 ? 0 : random.nextLong(unflushed + 1));
        truncateTo(survivingEnd);
        flushedEndOffset = survivingEnd;
        return survivingEnd;
    }
}
