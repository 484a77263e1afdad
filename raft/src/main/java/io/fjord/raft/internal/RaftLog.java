package io.fjord.raft.internal;

import io.fjord.raft.EntryType;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.VoterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The core's view of the replicated log: entries from the log start (0, or the end of the latest snapshot) to the
 * end, how far they are flushed, an epoch index (the first offset of each epoch, Kafka's leader-epoch cache) that
 * answers "where does epoch e end" for divergence checks, and the voter sets of its VOTERS entries (KIP-853: the
 * latest one, committed or not, is the replica's voter set; a truncation brings back the one before).
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
public final class RaftLog {
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    /** Epochs in increasing order and the first offset of each (parallel lists). */
    private final ArrayList<Integer> epochs = new ArrayList<>();
    private final ArrayList<Long> epochStartOffsets = new ArrayList<>();
    /** The voter set of each VOTERS entry, by offset. */
    private final TreeMap<Long, VoterSet> voterSets = new TreeMap<>();
    private long startOffset;
    /** The epoch of the entry before the log start (the snapshot's epoch; 0 at offset 0). */
    private int startEpoch;
    /** The voter set in force at the log start (the snapshot's, or the static one). */
    private VoterSet startVoters;
    private long flushedEndOffset;

    /** A log holding {@code recovered}, all of it on disk already, starting at {@code start} (a snapshot id). */
    public RaftLog(OffsetAndEpoch start, VoterSet startVoters, List<LogEntry> recovered) {
        this.startOffset = start.offset();
        this.startEpoch = start.epoch();
        this.startVoters = startVoters;
        for (LogEntry entry : recovered) {
            append(entry);
        }
        flushedEndOffset = endOffset();
    }

    public long startOffset() {
        return startOffset;
    }

    /** The offset the next entry gets. */
    public long endOffset() {
        return startOffset + entries.size();
    }

    public long flushedEndOffset() {
        return flushedEndOffset;
    }

    /** The epoch of the last entry (the snapshot's for an empty log, 0 for an empty log without one). */
    public int lastEpoch() {
        return epochs.isEmpty() ? startEpoch : epochs.get(epochs.size() - 1);
    }

    /** The epoch of the entry before {@code offset} (the start epoch at the log start). */
    public int epochBefore(long offset) {
        return offset == startOffset ? startEpoch : entry(offset - 1).epoch();
    }

    public LogEntry entry(long offset) {
        Invariants.check(offset >= startOffset && offset < endOffset(), "offset %d outside the log [%d, %d)", offset,
                startOffset, endOffset());
        return entries.get((int) (offset - startOffset));
    }

    /** The voter set in force: the latest VOTERS entry's, else the start's. */
    public VoterSet voters() {
        return voterSets.isEmpty() ? startVoters : voterSets.lastEntry().getValue();
    }

    /** The voter set in force for entries from {@code offset} on, given the entries before it. */
    public VoterSet votersAt(long offset) {
        Map.Entry<Long, VoterSet> latest = voterSets.lowerEntry(offset);
        return latest == null ? startVoters : latest.getValue();
    }

    /** The offset of the latest VOTERS entry, -1 if none in the log. */
    public long lastVotersOffset() {
        return voterSets.isEmpty() ? -1 : voterSets.lastKey();
    }

    public void append(LogEntry entry) {
        Invariants.check(entry.offset() == endOffset(), "append of offset %d at log end %d", entry.offset(),
                endOffset());
        Invariants.check(entry.epoch() >= lastEpoch(), "append of epoch %d after epoch %d", entry.epoch(),
                lastEpoch());
        if (entry.type() == EntryType.VOTERS) {
            // A follower drops a malformed record before appending it; the leader encodes its own.
            VoterSet voters = VoterSet.decode(entry.payload()).filter(set -> !set.isEmpty()).orElseThrow(
                    () -> new IllegalStateException("Raft invariant violated: malformed VOTERS entry " + entry));
            voterSets.put(entry.offset(), voters);
        }
        if (entry.epoch() != lastEpoch() || epochs.isEmpty()) {
            epochs.add(entry.epoch());
            epochStartOffsets.add(entry.offset());
        }
        entries.add(entry);
    }

    /** Removes every entry at or above {@code offset}. */
    public void truncateTo(long offset) {
        Invariants.check(offset >= startOffset && offset <= endOffset(), "truncation to %d outside [%d, %d]",
                offset, startOffset, endOffset());
        entries.subList((int) (offset - startOffset), entries.size()).clear();
        while (!epochStartOffsets.isEmpty() && epochStartOffsets.get(epochStartOffsets.size() - 1) >= offset) {
            epochs.remove(epochs.size() - 1);
            epochStartOffsets.remove(epochStartOffsets.size() - 1);
        }
        voterSets.tailMap(offset, true).clear();
        flushedEndOffset = Math.min(flushedEndOffset, offset);
    }

    /** Drops the entries below {@code offset} (a snapshot ending there covers them); the log then starts there. */
    public void deletePrefix(long offset) {
        Invariants.check(offset > startOffset && offset <= endOffset(), "log start %d outside (%d, %d]", offset,
                startOffset, endOffset());
        int epochAtStart = epochBefore(offset);
        VoterSet votersAtStart = votersAt(offset);
        entries.subList(0, (int) (offset - startOffset)).clear();
        // Keep the epoch that holds the new first entry; drop those that end at or before the new start.
        while (!epochs.isEmpty() && (entries.isEmpty() || (epochs.size() > 1 && epochStartOffsets.get(1) <= offset))) {
            epochs.remove(0);
            epochStartOffsets.remove(0);
        }
        voterSets.headMap(offset, false).clear();
        startOffset = offset;
        startEpoch = epochAtStart;
        startVoters = votersAtStart;
        flushedEndOffset = Math.max(flushedEndOffset, offset);
    }

    /** Replaces the whole log by an empty one starting at {@code snapshot} (a fetched snapshot was installed). */
    public void resetTo(OffsetAndEpoch snapshot, VoterSet voters) {
        entries.clear();
        epochs.clear();
        epochStartOffsets.clear();
        voterSets.clear();
        startOffset = snapshot.offset();
        startEpoch = snapshot.epoch();
        startVoters = voters;
        flushedEndOffset = startOffset;
    }

    /** Notes that entries below {@code offset} (as the log stands now) are durable. */
    public void markFlushed(long offset) {
        flushedEndOffset = Math.max(flushedEndOffset, Math.min(offset, endOffset()));
    }

    /**
     * The largest epoch at most {@code epoch} that this log has, and the offset where it ends (the start of the next
     * epoch, or the log end). An epoch from the start epoch up to the first epoch in the log ends at the log start;
     * an epoch below the start epoch gives (-1, -1): only the snapshot can tell.
     */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.get(i) <= epoch) {
                long end = i + 1 < epochs.size() ? epochStartOffsets.get(i + 1) : endOffset();
                return new EpochEndOffset(epochs.get(i), end);
            }
        }
        return epoch >= startEpoch ? new EpochEndOffset(startEpoch, startOffset) : new EpochEndOffset(-1, -1);
    }

    /**
     * Entries from {@code fromOffset}, as many as fit {@code maxBytes} but at least one if there is one (so that an
     * entry larger than the limit still moves).
     */
    public List<LogEntry> read(long fromOffset, int maxBytes) {
        List<LogEntry> result = new ArrayList<>();
        long bytes = 0;
        for (long offset = Math.max(fromOffset, startOffset); offset < endOffset(); offset++) {
            LogEntry entry = entries.get((int) (offset - startOffset));
            bytes += entry.sizeInBytes();
            if (!result.isEmpty() && bytes > maxBytes) {
                break;
            }
            result.add(entry);
        }
        return result;
    }
}
