package io.fjord.raft.driver;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import java.io.IOException;
import java.util.List;

/**
 * Where a {@link RaftDriver} keeps what must survive a crash: the durable state and the log. Any exception from a
 * method (an {@link IOException}, or the storage module's unchecked {@code StorageException}) means the storage can
 * no longer be trusted: the driver stops and acknowledges nothing more.
 *
 * <p>Implementations need not be thread-safe: only the driver's thread calls them, after {@link #recover()}.
 */
public interface RaftStorage extends AutoCloseable {

    /** Reads back the durable state, the leader last written with it, and every entry of the log. */
    Recovered recover() throws IOException;

    /** Replaces the durable state; durable (fsync'd) when this returns. */
    void writeDurableState(DurableState state, int leaderId) throws IOException;

    /** Removes every entry at or above {@code offset}. */
    void truncateTo(long offset) throws IOException;

    /** Appends entries that continue the log; durable only after {@link #flush()}. */
    void append(List<LogEntry> entries) throws IOException;

    /** Makes everything appended durable. */
    void flush() throws IOException;

    /** The offset the next entry gets. */
    long endOffset();

    @Override
    void close() throws IOException;

    /** What {@link #recover()} found. */
    record Recovered(DurableState state, int leaderId, List<LogEntry> log) {
        public Recovered {
            log = List.copyOf(log);
        }
    }
}
