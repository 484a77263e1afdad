package io.fjord.raft.internal;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.Ready;
import io.fjord.raft.RoleChange;
import io.fjord.raft.SnapshotChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the core's outputs until the driver takes them as one {@link Ready}. It tracks the log end the driver
 * has, so that a truncation of entries the driver has not yet received only drops them from the pending appends,
 * and an installed snapshot replaces whatever log changes were pending.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
public final class Outbox {
    private DurableState durableState;
    private long truncateToOffset = Ready.NO_TRUNCATION;
    private final List<LogEntry> appends = new ArrayList<>();
    private final List<RaftMessage> messages = new ArrayList<>();
    private final List<RoleChange> roleChanges = new ArrayList<>();
    private final List<SnapshotChunk> snapshotChunks = new ArrayList<>();
    private OffsetAndEpoch installSnapshot;
    private long logStartOffset = Ready.NO_LOG_START_CHANGE;
    private long driverLogEndOffset;
    private long reportedHighWatermark;
    private long highWatermark;

    public Outbox(long driverLogEndOffset) {
        this.driverLogEndOffset = driverLogEndOffset;
    }

    public void writeDurableState(DurableState state) {
        durableState = state;
    }

    public void append(LogEntry entry) {
        appends.add(entry);
    }

    public void truncate(long offset) {
        appends.removeIf(entry -> entry.offset() >= offset);
        if (offset < driverLogEndOffset) {
            truncateToOffset = truncateToOffset == Ready.NO_TRUNCATION ? offset : Math.min(truncateToOffset, offset);
            driverLogEndOffset = offset;
        }
    }

    public void send(RaftMessage message) {
        messages.add(message);
    }

    public void roleChanged(RoleChange change) {
        roleChanges.add(change);
    }

    public void highWatermark(long offset) {
        highWatermark = offset;
    }

    public void snapshotChunk(SnapshotChunk chunk) {
        snapshotChunks.add(chunk);
    }

    /** The driver's log restarts empty at the snapshot: log changes pending before it are moot. */
    public void installSnapshot(OffsetAndEpoch snapshotId) {
        installSnapshot = snapshotId;
        appends.clear();
        truncateToOffset = Ready.NO_TRUNCATION;
        logStartOffset = Ready.NO_LOG_START_CHANGE;
        driverLogEndOffset = snapshotId.offset();
    }

    /** Entries below {@code offset} may go: a snapshot covers them (the pending appends are all above it). */
    public void logStart(long offset) {
        Invariants.check(appends.isEmpty() || appends.get(0).offset() >= offset,
                "log start %d above a pending append at %d", offset, appends.isEmpty() ? -1 : appends.get(0).offset());
        logStartOffset = Math.max(logStartOffset, offset);
    }

    /** A storage write failed: nothing collected may reach the driver (it would act on what was not written). */
    public void discard() {
        clear();
        highWatermark = reportedHighWatermark;
    }

    private void clear() {
        durableState = null;
        truncateToOffset = Ready.NO_TRUNCATION;
        appends.clear();
        messages.clear();
        roleChanges.clear();
        snapshotChunks.clear();
        installSnapshot = null;
        logStartOffset = Ready.NO_LOG_START_CHANGE;
    }

    public boolean hasReady() {
        return durableState != null || truncateToOffset != Ready.NO_TRUNCATION || !appends.isEmpty()
                || !messages.isEmpty() || !roleChanges.isEmpty() || highWatermark != reportedHighWatermark
                || !snapshotChunks.isEmpty() || installSnapshot != null
                || logStartOffset != Ready.NO_LOG_START_CHANGE;
    }

    /** Everything collected so far; the outbox starts empty again. */
    public Ready drain(long logEndOffset) {
        Ready ready = new Ready(durableState, truncateToOffset, appends, messages, highWatermark, roleChanges,
                snapshotChunks, installSnapshot, logStartOffset);
        clear();
        reportedHighWatermark = highWatermark;
        driverLogEndOffset = logEndOffset;
        return ready;
    }
}
