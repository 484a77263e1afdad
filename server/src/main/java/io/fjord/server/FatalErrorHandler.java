package io.fjord.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node process does with an error that escapes one of its threads (request handlers, controller, group
 * coordinator, log cleaner and background tasks, purgatory reapers, network event loops): it logs it at ERROR with
 * its stack, then halts the process with exit code 1. A node that lost a thread would otherwise go on running
 * without serving (an OutOfMemoryError once killed a controller worker and was seen only on stderr); one that exits
 * is seen and restarted. Halting skips the shutdown hooks, which may wait for the very thread that died.
 * {@code -XX:+ExitOnOutOfMemoryError} is no substitute: it exits without a line in the log.
 *
 * <p>Installed as the JVM's default uncaught-exception handler by {@code fjord start}; components hand it the
 * errors their executors would otherwise swallow through their thread's uncaught-exception handler. Thread-safe: the
 * first error halts; others arriving meanwhile are logged too.
 */
final class FatalErrorHandler implements Thread.UncaughtExceptionHandler {
    static final int EXIT_CODE = 1;
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrorHandler.class);

    private final IntConsumer halt;
    private final AtomicBoolean halting = new AtomicBoolean();

    /** @param halt stops the process with the given exit code ({@code Runtime.getRuntime()::halt} in a node) */
    FatalErrorHandler(IntConsumer halt) {
        this.halt = halt;
    }

    /** Makes a halting handler the default for every thread of this JVM that has no handler of its own. */
    static FatalErrorHandler install() {
        FatalErrorHandler handler = new FatalErrorHandler(Runtime.getRuntime()::halt);
        Thread.setDefaultUncaughtExceptionHandler(handler);
        return handler;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        try {
            LOG.error("Fatal error in thread {}; stopping the node (exit code {})", thread.getName(), EXIT_CODE,
                    error);
        } catch (Throwable loggingFailed) {
            // Out of memory, the logger may fail too: stderr is the last place left to say why.
            System.err.println("fjord: fatal error in thread " + thread.getName() + ": " + error);
        } finally {
            if (halting.compareAndSet(false, true)) {
                halt.accept(EXIT_CODE);
            }
        }
    }
}
