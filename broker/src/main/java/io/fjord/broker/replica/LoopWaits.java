package io.fjord.broker.replica;

import io.netty.channel.ManualIoEventLoop;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link FetcherWaits} that run the fetcher's own event loop while waiting: the connection to the leader lives on a
 * {@link ManualIoEventLoop} owned by the fetcher's thread, so its IO, timeouts and tasks run on that thread, in
 * {@link #awaitAnswer} and {@link #awaitWork}.
 *
 * <p>{@link #wake()} is thread-safe; the other methods are called on the owning thread only.
 */
final class LoopWaits implements FetcherWaits {
    private static final Runnable WAKE_UP = () -> {
    };

    private final ManualIoEventLoop loop;

    LoopWaits(ManualIoEventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void attach() {
        loop.setOwningThread(Thread.currentThread());
    }

    @Override
    public void awaitAnswer(Future<?> answer, long timeoutMs) {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long leftNanos;
        while (!answer.isDone() && (leftNanos = deadlineNanos - System.nanoTime()) > 0 && !loop.isShuttingDown()) {
            loop.run(leftNanos);
        }
    }

    @Override
    public void awaitWork(long timeoutMs) {
        if (!loop.isShuttingDown()) {
            loop.run(TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs)));
        }
    }

    @Override
    public void wake() {
        // A task makes the loop's next or current wait return (a bare wake-up could come before the wait).
        if (!loop.isShuttingDown()) {
            try {
                loop.execute(WAKE_UP);
            } catch (RejectedExecutionException e) {
                // Shut down meanwhile: nothing waits any more.
            }
        }
    }

    @Override
    public void detach() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        while (!loop.isTerminated()) {
            loop.runNow();
        }
    }
}
