package io.fjord.raft.internal;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.Ready;
import io.fjord.raft.RoleChange;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the core's outputs until the driver takes them as one {@link Ready}. It tracks the log end the driver
 * has, so that a truncation of entries the driver has not yet received only drops them from the pending appends.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
public final class Outbox {
    private DurableState durableState;
    private long truncateToOffset = Ready.NO_TRUNCATION;
    private final List<LogEntry> appends = new ArrayList<>();
    private final List<RaftMessage> messages = new ArrayList<>();
    private final List<RoleChange> roleChanges = new ArrayList<>();
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

    public boolean hasReady() {
        return durableState != null || truncateToOffset != Ready.NO_TRUNCATION || !appends.isEmpty()
                || !messages.isEmpty() || !roleChanges.isEmpty() || highWatermark != reportedHighWatermark;
    }

    /** Everything collected so far; the outbox starts empty again. */
    public Ready drain(long logEndOffset) {
        Ready ready = new Ready(durableState, truncateToOffset, appends, messages, highWatermark, roleChanges);
        durableState = null;
        truncateToOffset = Ready.NO_TRUNCATION;
        appends.clear();
        messages.clear();
        roleChanges.clear();
        reportedHighWatermark = highWatermark;
        driverLogEndOffset = logEndOffset;
        return ready;
    }
}
