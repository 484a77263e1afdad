package io.fjord.raft;

import java.util.List;

/**
 * What the core asks its driver to do, collected since the previous {@code ready()} (the etcd-io/raft shape). The
 * driver must act in this order:
 * <ol>
 *   <li>if {@code durableState} is not null, write it durably and wait for the write to complete — votes and
 *       epoch changes in {@code messages} depend on it;</li>
 *   <li>if {@code truncateToOffset} is not -1, remove every log entry at or above it;</li>
 *   <li>append {@code entriesToAppend} (they continue the log); flush them when it suits and report with
 *       {@link RaftNode#onLogFlushed(long)} — acknowledgements (a follower's next fetch offset, the leader's own
 *       position) count only flushed entries;</li>
 *   <li>send {@code messages};</li>
 *   <li>apply entries below {@code highWatermark} (committed) to the state machine, if not already applied.</li>
 * </ol>
 *
 * @param roleChanges transitions in order since the previous Ready (the last is the current role)
 *
 * <p>Immutable; thread-safe.
 */
public record Ready(DurableState durableState, long truncateToOffset, List<LogEntry> entriesToAppend,
        List<RaftMessage> messages, long highWatermark, List<RoleChange> roleChanges) {

    public static final long NO_TRUNCATION = -1;

    public Ready {
        entriesToAppend = List.copyOf(entriesToAppend);
        messages = List.copyOf(messages);
        roleChanges = List.copyOf(roleChanges);
    }
}
