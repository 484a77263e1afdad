package io.fjord.storage.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names threads {@code <prefix><n>}. What escapes them goes to the JVM's default uncaught-exception handler, which in
 * a node process logs the error and stops the node (a node that lost a thread must not go on silently). Thread-safe.
 */
public final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    public NamedThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + next.getAndIncrement());
        thread.setDaemon(true);
        return thread;
    }
}
