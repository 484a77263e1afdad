package io.fjord.broker.replica;

import io.fjord.storage.LogManager;
import io.fjord.storage.PartitionLog;

/**
 * How the replica fetchers truncate a follower's log. A node truncates through its log manager, as Kafka's fetchers
 * do ({@code LogManager.truncateTo} and {@code truncateFullyAndStartAt}): the log's cleaning is paused meanwhile, and
 * the recovery-point checkpoint drops with the log at once, so a stale one above the new log end never makes a restart
 * after a power loss take re-appended, unflushed data for flushed data (and refuse the log as corrupt).
 * Implementations are thread-safe.
 */
public interface LogTruncation {
    /** Truncates the log directly, without a checkpoint; for tests that have no log manager. */
    LogTruncation DIRECT = new LogTruncation() {
        @Override
        public void truncateTo(PartitionLog log, long offset) {
            log.truncateTo(offset);
        }

        @Override
        public void truncateFullyAndStartAt(PartitionLog log, long offset) {
            log.truncateFullyAndStartAt(offset);
        }
    };

    /** Truncates through {@code logManager}, as a node does. */
    static LogTruncation through(LogManager logManager) {
        return new LogTruncation() {
            @Override
            public void truncateTo(PartitionLog log, long offset) {
                logManager.truncateTo(log.topicPartition(), offset);
            }

            @Override
            public void truncateFullyAndStartAt(PartitionLog log, long offset) {
                logManager.truncateFullyAndStartAt(log.topicPartition(), offset);
            }
        };
    }

    /** Removes everything at and after {@code offset} from the log. */
    void truncateTo(PartitionLog log, long offset);

    /** Empties the log and starts it again at {@code offset} (the leader's log start, above this log's end). */
    void truncateFullyAndStartAt(PartitionLog log, long offset);
}
