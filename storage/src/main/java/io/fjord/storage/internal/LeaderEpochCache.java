package io.fjord.storage.internal;

import io.fjord.storage.EpochEndOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader epochs of one partition log: for each epoch the first offset written in it, entries strictly increasing
 * in both epoch and start offset. Kafka's {@code LeaderEpochFileCache} rules (assign, truncation from either end, the
 * end offset of an epoch) as an immutable value: every change returns a new cache, and {@code this} when nothing
 * changes, so the owner can tell whether to write its checkpoint and readers never need a lock.
 *
 * <p>Immutable and thread-safe.
 */
public final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);
    private static final LeaderEpochCache EMPTY = new LeaderEpochCache(List.of());

    private final List<EpochEntry> entries;

    private LeaderEpochCache(List<EpochEntry> entries) {
        this.entries = entries;
    }

    public static LeaderEpochCache empty() {
        return EMPTY;
    }

    /** A cache holding {@code entries} assigned in order (so entries that break monotonicity are dropped as Kafka does). */
    public static LeaderEpochCache of(List<EpochEntry> entries) {
        LeaderEpochCache cache = EMPTY;
        for (EpochEntry entry : entries) {
            cache = cache.assign(entry.epoch(), entry.startOffset());
        }
        return cache;
    }

    /** The entries, oldest first; unmodifiable. */
    public List<EpochEntry> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public OptionalInt latestEpoch() {
        return entries.isEmpty() ? OptionalInt.empty() : OptionalInt.of(latest().epoch());
    }

    private EpochEntry latest() {
        return entries.get(entries.size() - 1);
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. As in Kafka, nothing changes when the latest entry is of
     * the same epoch and starts at or before {@code startOffset}; otherwise entries of the same or a larger epoch, or
     * starting at or after {@code startOffset}, are removed first (with a warning when that removes more than an entry
     * that had no data yet), so the entries stay strictly increasing in both.
     */
    public LeaderEpochCache assign(int epoch, long startOffset) {
        EpochEntry entry = new EpochEntry(epoch, startOffset);
        if (!entries.isEmpty() && latest().epoch() == epoch && latest().startOffset() <= startOffset) {
            return this;
        }
        int kept = entries.size();
        while (kept > 0 && (entries.get(kept - 1).epoch() >= epoch || entries.get(kept - 1).startOffset() >= startOffset)) {
            kept--;
        }
        List<EpochEntry> removed = entries.subList(kept, entries.size());
        if (removed.size() > 1 || (removed.size() == 1 && removed.get(0).startOffset() != startOffset)) {
            LOG.warn("New leader epoch entry {} caused truncation of conflicting entries {}", entry, removed);
        }
        List<EpochEntry> next = new ArrayList<>(kept + 1);
        next.addAll(entries.subList(0, kept));
        next.add(entry);
        return new LeaderEpochCache(List.copyOf(next));
    }

    /** Removes every entry starting at or after {@code endOffset} (the log was truncated to end there). */
    public LeaderEpochCache truncateFromEnd(long endOffset) {
        int kept = entries.size();
        while (kept > 0 && entries.get(kept - 1).startOffset() >= endOffset) {
            kept--;
        }
        return kept == entries.size() ? this : new LeaderEpochCache(List.copyOf(entries.subList(0, kept)));
    }

    /**
     * The log now starts at {@code startOffset}: entries starting at or before it go, except that the last of them
     * stays with its start moved up to {@code startOffset} (the epoch of the first offset still in the log).
     */
    public LeaderEpochCache truncateFromStart(long startOffset) {
        int removed = 0;
        while (removed < entries.size() && entries.get(removed).startOffset() <= startOffset) {
            removed++;
        }
        if (removed == 0 || (removed == 1 && entries.get(0).startOffset() == startOffset)) {
            return this;
        }
        List<EpochEntry> next = new ArrayList<>(entries.size() - removed + 1);
        next.add(new EpochEntry(entries.get(removed - 1).epoch(), startOffset));
        next.addAll(entries.subList(removed, entries.size()));
        return new LeaderEpochCache(List.copyOf(next));
    }

    /**
     * Kafka's {@code endOffsetFor}: for the latest epoch, ({@code epoch}, {@code logEndOffset}); for an epoch above
     * every known one, an empty cache or an undefined epoch (negative), empty; for an epoch below the earliest,
     * ({@code requestedEpoch}, start of the earliest); otherwise (the largest epoch at most the requested one, the
     * start offset of the epoch after it).
     */
    public Optional<EpochEndOffset> endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch < 0 || entries.isEmpty()) {
            return Optional.empty();
        }
        if (latest().epoch() == requestedEpoch) {
            return Optional.of(new EpochEndOffset(requestedEpoch, logEndOffset));
        }
        int higher = firstIndexWithEpochAbove(requestedEpoch);
        if (higher == entries.size()) {
            return Optional.empty();
        }
        long end = entries.get(higher).startOffset();
        return Optional.of(new EpochEndOffset(higher == 0 ? requestedEpoch : entries.get(higher - 1).epoch(), end));
    }

    /** Binary search: the index of the first entry whose epoch exceeds {@code epoch}, or the size. */
    private int firstIndexWithEpochAbove(int epoch) {
        int low = 0;
        int high = entries.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (entries.get(middle).epoch() > epoch) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LeaderEpochCache cache && cache.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "LeaderEpochCache" + entries;
    }
}
