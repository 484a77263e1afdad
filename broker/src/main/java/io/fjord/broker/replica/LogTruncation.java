package io.fjord.broker.replica;

import io.fjord.storage.PartitionLog;

/**
 * How the replica fetchers truncate a follower's log. A node truncates through its log manager, as Kafka's fetchers
 * do ({@code LogManager.truncateTo}): the recovery-point checkpoint then drops with the log at once, so a stale one
 * above the new log end never makes a restart after a power loss take re-appended, unflushed data for flushed data
 * (and refuse the log as corrupt). Implementations are thread-safe.
 */
@FunctionalInterface
public interface LogTruncation {
    /** Truncates the log directly, without a checkpoint; for tests that have no log manager. */
    LogTruncation DIRECT = PartitionLog::truncateTo;

    /** Removes everything at and after {@code offset} from the log. */
    void truncateTo(PartitionLog log, long offset);
}
