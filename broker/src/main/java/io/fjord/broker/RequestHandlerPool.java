package io.fjord.broker;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kafka's request handler pool: {@code num.io.threads} threads taking requests from a queue bounded by
 * {@code queued.max.requests}. When the queue is full the submitting network thread runs the request itself, which
 * stops it reading new requests until the backlog drains (back-pressure, as Kafka's blocking queue gives).
 *
 * <p>Thread-safe (a {@link ThreadPoolExecutor}); threads start lazily with the first requests.
 */
public final class RequestHandlerPool extends ThreadPoolExecutor {
    public RequestHandlerPool(int threads, int queuedRequestsMax) {
        super(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queuedRequestsMax),
                new NamedThreads(), new CallerRunsPolicy());
    }

    /** Names threads {@code fjord-request-handler-N}. */
    private static final class NamedThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "fjord-request-handler-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
