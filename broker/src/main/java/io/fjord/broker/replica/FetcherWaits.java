package io.fjord.broker.replica;

import java.util.concurrent.Future;

/**
 * How a replica fetcher's thread waits: for the leader's answer to a request, and for work when no partition is
 * ready. Either plain blocking ({@link ThreadWaits}), when the endpoint's connection runs on threads of its own, or
 * by running the connection's event loop itself ({@link LoopWaits}), as Kafka's fetcher threads poll their own
 * network client: then an answer is read, applied and followed by the next request on one thread, with no hand-over
 * between threads (each costs a wake-up system call and a context switch, per round).
 *
 * <p>{@link #attach()} is called first on the thread that waits, {@link #detach()} last on it (or, for a fetcher that
 * never started, on the thread that shuts it down); {@link #wake()} from any thread.
 */
public interface FetcherWaits {
    /** The calling thread is the one that waits from now on. */
    void attach();

    /** Returns once {@code answer} is done or {@code timeoutMs} passed. */
    void awaitAnswer(Future<?> answer, long timeoutMs) throws InterruptedException;

    /** Returns after {@code timeoutMs}, at a {@link #wake()}, or earlier (a spurious return is allowed). */
    void awaitWork(long timeoutMs) throws InterruptedException;

    /** Makes the current or next {@link #awaitWork} return at once. */
    void wake();

    /** Lets go of what the waits hold (the event loop, which runs what was left for it first). */
    void detach();
}
