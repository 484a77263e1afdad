package io.fjord.raft;

import java.util.List;

/**
 * What the core asks its driver to do, collected since the previous {@code ready()} (the etcd-io/raft shape). The
 * driver must act in this order:
 * <ol>
 *   <li>if {@code durableState} is not null, write it durably and wait for the write to complete — votes and
 *       epoch changes in {@code messages} depend on it;</li>
 *   <li>write {@code snapshotChunks} into the partial snapshot they name (a chunk at position 0 starts it
 *       afresh);</li>
 *   <li>if {@code installSnapshot} is not null, the partial snapshot of that id is complete: make it durable as the
 *       latest snapshot, replace the whole log by an empty log starting at its offset, and have the state machine
 *       load it (the core's log, high watermark and voter set already start there);</li>
 *   <li>if {@code logStartOffset} is not -1, entries below it may be deleted (a snapshot covers them);</li>
 *   <li>if {@code truncateToOffset} is not -1, remove every log entry at or above it;</li>
 *   <li>append {@code entriesToAppend} (they continue the log); flush them when it suits and report with
 *       {@link RaftNode#onLogFlushed(long)} — acknowledgements (a follower's next fetch offset, the leader's own
 *       position) count only flushed entries;</li>
 *   <li>send {@code messages};</li>
 *   <li>apply entries below {@code highWatermark} (committed) to the state machine, if not already applied.</li>
 * </ol>
 * If a write fails, the driver stops there (sends nothing of this Ready) and calls
 * {@link RaftNode#onStorageError(String)}.
 *
 * @param roleChanges transitions in order since the previous Ready (the last is the current role)
 *
 * <p>Immutable; thread-safe.
 */
public record Ready(DurableState durableState, long truncateToOffset, List<LogEntry> entriesToAppend,
        List<RaftMessage> messages, long highWatermark, List<RoleChange> roleChanges,
        List<SnapshotChunk> snapshotChunks, OffsetAndEpoch installSnapshot, long logStartOffset) {

    public static final long NO_TRUNCATION = -1;
    public static final long NO_LOG_START_CHANGE = -1;

    public Ready {
        entriesToAppend = List.copyOf(entriesToAppend);
        messages = List.copyOf(messages);
        roleChanges = List.copyOf(roleChanges);
        snapshotChunks = List.copyOf(snapshotChunks);
    }

    /** A Ready without snapshot work. */
    public Ready(DurableState durableState, long truncateToOffset, List<LogEntry> entriesToAppend,
            List<RaftMessage> messages, long highWatermark, List<RoleChange> roleChanges) {
        this(durableState, truncateToOffset, entriesToAppend, messages, highWatermark, roleChanges, List.of(), null,
                NO_LOG_START_CHANGE);
    }
}
