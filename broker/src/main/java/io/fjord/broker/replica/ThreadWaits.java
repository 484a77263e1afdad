package io.fjord.broker.replica;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link FetcherWaits} for an endpoint whose requests are answered on other threads (in memory in tests, or a shared
 * network thread): blocks on the answer, and on a condition for work.
 *
 * <p>Thread-safe. A {@link #wake()} before the wait is remembered, so it is never lost.
 */
final class ThreadWaits implements FetcherWaits {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean wakeRequested;

    @Override
    public void attach() {
        // Any thread may wait.
    }

    @Override
    public void awaitAnswer(Future<?> answer, long timeoutMs) throws InterruptedException {
        try {
            answer.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // The caller looks at the answer itself.
        }
    }

    @Override
    public void awaitWork(long timeoutMs) throws InterruptedException {
        lock.lock();
        try {
            if (!wakeRequested) {
                woken.await(timeoutMs, TimeUnit.MILLISECONDS);
            }
            wakeRequested = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void detach() {
        // Nothing held.
    }
}
