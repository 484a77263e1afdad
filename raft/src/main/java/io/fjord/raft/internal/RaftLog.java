package io.fjord.raft.internal;

import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of the replicated log: entries from the log start (0 until snapshots exist) to the end, how far
 * they are flushed, and an epoch index (the first offset of each epoch, Kafka's leader-epoch cache) that answers
 * "where does epoch e end" for divergence checks.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
public final class RaftLog {
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    /** Epochs in increasing order and the first offset of each (parallel lists). */
    private final ArrayList<Integer> epochs = new ArrayList<>();
    private final ArrayList<Long> epochStartOffsets = new ArrayList<>();
    private long flushedEndOffset;

    /** A log holding {@code recovered}, all of it on disk already. */
    public RaftLog(List<LogEntry> recovered) {
        for (LogEntry entry : recovered) {
            append(entry);
        }
        flushedEndOffset = endOffset();
    }

    public long startOffset() {
        return 0;
    }

    /** The offset the next entry gets. */
    public long endOffset() {
        return entries.size();
    }

    public long flushedEndOffset() {
        return flushedEndOffset;
    }

    /** The epoch of the last entry, 0 for an empty log. */
    public int lastEpoch() {
        return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1);
    }

    /** The epoch of the entry before {@code offset} (0 at the log start). */
    public int epochBefore(long offset) {
        return offset == 0 ? 0 : entry(offset - 1).epoch();
    }

    public LogEntry entry(long offset) {
        Invariants.check(offset >= 0 && offset < endOffset(), "offset %d outside the log [0, %d)", offset,
                endOffset());
        return entries.get((int) offset);
    }

    public void append(LogEntry entry) {
        Invariants.check(entry.offset() == endOffset(), "append of offset %d at log end %d", entry.offset(),
                endOffset());
        Invariants.check(entry.epoch() >= lastEpoch(), "append of epoch %d after epoch %d", entry.epoch(),
                lastEpoch());
        if (entry.epoch() != lastEpoch() || epochs.isEmpty()) {
            epochs.add(entry.epoch());
            epochStartOffsets.add(entry.offset());
        }
        entries.add(entry);
    }

    /** Removes every entry at or above {@code offset}. */
    public void truncateTo(long offset) {
        Invariants.check(offset >= startOffset() && offset <= endOffset(), "truncation to %d outside [0, %d]",
                offset, endOffset());
        entries.subList((int) offset, entries.size()).clear();
        while (!epochStartOffsets.isEmpty() && epochStartOffsets.get(epochStartOffsets.size() - 1) >= offset) {
            epochs.remove(epochs.size() - 1);
            epochStartOffsets.remove(epochStartOffsets.size() - 1);
        }
        flushedEndOffset = Math.min(flushedEndOffset, offset);
    }

    /** Notes that entries below {@code offset} (as the log stands now) are durable. */
    public void markFlushed(long offset) {
        flushedEndOffset = Math.max(flushedEndOffset, Math.min(offset, endOffset()));
    }

    /**
     * The largest epoch at most {@code epoch} that this log has, and the offset where it ends (the start of the next
     * epoch, or the log end). An epoch below every epoch in the log gives epoch 0 ending at the log start.
     */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.get(i) <= epoch) {
                long end = i + 1 < epochs.size() ? epochStartOffsets.get(i + 1) : endOffset();
                return new EpochEndOffset(epochs.get(i), end);
            }
        }
        return new EpochEndOffset(0, startOffset());
    }

    /**
     * Entries from {@code fromOffset}, as many as fit {@code maxBytes} but at least one if there is one (so that an
     * entry larger than the limit still moves).
     */
    public List<LogEntry> read(long fromOffset, int maxBytes) {
        List<LogEntry> result = new ArrayList<>();
        long bytes = 0;
        for (long offset = fromOffset; offset < endOffset(); offset++) {
            LogEntry entry = entries.get((int) offset);
            bytes += entry.sizeInBytes();
            if (!result.isEmpty() && bytes > maxBytes) {
                break;
            }
            result.add(entry);
        }
        return result;
    }
}
