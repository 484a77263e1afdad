package io.fjord.storage.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one segment keeps in memory of a leader's last appends to it ({@link RecentAppends}) while it is active,
 * within the node's {@link RecentAppendsBudget}, so that fetches at the log end need no file read. None are kept after
 * opening, recovery, truncation, a follower's append, and once the segment is no longer active.
 *
 * <p>Thread-safety: one writer (under the owning log's append lock) keeps appends and enables keeping; readers
 * {@link #find} without a lock; {@link #drop} and {@link #stop} may come from any thread, and give each kept byte
 * back to the budget once.
 */
final class KeptAppends {
    private final RecentAppendsBudget budget;
    private final AtomicReference<RecentAppends> current = new AtomicReference<>(RecentAppends.NONE);
    /** Whether appends may be kept: an active segment's may (not a cleaner's output's). */
    private volatile boolean enabled;

    KeptAppends(RecentAppendsBudget budget) {
        this.budget = budget;
    }

    /** The segment is (again) its log's active one. */
    void enable() {
        enabled = true;
    }

    /**
     * Keeps an append just written at {@code position}, before the segment's size makes it visible, or drops what
     * was kept when this one is not kept: a follower's ({@code keep} false), one too large, or without budget.
     */
    void appended(int position, ByteBuffer batches, boolean keep) {
        if (!keep || !enabled || batches.remaining() > RecentAppends.APPEND_BYTES_MAX) {
            drop();
            return;
        }
        RecentAppends before = current.get();
        RecentAppends after = before.with(position, batches);
        int grownBytes = after.totalBytes() - before.totalBytes();
        if (grownBytes > 0 && !budget.tryReserve(grownBytes)) {
            drop(); // the node's logs hold all they may: this one's fetches read the file for now
            return;
        }
        if (!current.compareAndSet(before, after)) {
            // Dropped meanwhile at the segment's end, which gave back what "before" held.
            if (grownBytes > 0) {
                budget.release(grownBytes);
            }
        } else if (grownBytes < 0) {
            budget.release(-grownBytes); // the older appends that gave way
        }
    }

    /** A read-only view of the file bytes from {@code position}, if one kept append holds them all; null if not. */
    ByteBuffer find(int position, int length) {
        return current.get().find(position, length);
    }

    /** Forgets the kept appends (their bytes are about to change, or nobody will fetch them) and frees their budget. */
    void drop() {
        if (current.get() == RecentAppends.NONE) {
            return; // a follower's appends come here each time: no atomic write for them
        }
        RecentAppends dropped = current.getAndSet(RecentAppends.NONE);
        if (dropped.totalBytes() > 0) {
            budget.release(dropped.totalBytes());
        }
    }

    /** The segment is no longer appended to: what was kept goes, and nothing more is kept until {@link #enable}. */
    void stop() {
        enabled = false;
        drop();
    }
}
