package io.fjord.storage.internal;

import io.fjord.storage.TopicPartition;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background work of one partition log on the log manager's shared executor: flushes after rolls and delayed
 * deletes of removed segments' files. Once the executor is shut down, the work runs on the caller's thread instead of
 * being lost.
 *
 * <p>Thread-safe: holds only the (thread-safe) executor.
 */
public final class LogBackgroundTasks {
    private static final Logger LOG = LoggerFactory.getLogger(LogBackgroundTasks.class);
    /** How long a delete waits again while a reader still holds the segment. */
    private static final long DELETE_RETRY_MS = 1000;

    private final ScheduledExecutorService background;
    private final TopicPartition topicPartition;

    public LogBackgroundTasks(ScheduledExecutorService background, TopicPartition topicPartition) {
        this.background = background;
        this.topicPartition = topicPartition;
    }

    /** Deletes the segment's files after {@code delayMs}, and again later while a reader still holds them. */
    public void deleteLater(LogSegment segment, long delayMs) {
        Runnable delete = () -> {
            if (!segment.deleteFiles()) {
                deleteLater(segment, DELETE_RETRY_MS);
            }
        };
        try {
            background.schedule(delete, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            delete.run();
        }
    }

    /** Runs {@code task} soon; a failure is logged, not lost in a future nobody reads. */
    public void submit(Runnable task) {
        try {
            background.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Background task for {} failed", topicPartition, e);
                }
            });
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }
}
