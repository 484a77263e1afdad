package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fjord.storage.internal.NamedThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@link FatalErrorHandler}: an error escaping a node's thread is logged with its stack, then the process halts. */
class FatalErrorHandlerTest {
    private final List<Integer> halts = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        lines.start();
        handlerLogger().addAppender(lines);
    }

    @AfterEach
    void releaseLog() {
        handlerLogger().detachAppender(lines);
    }

    private static Logger handlerLogger() {
        return (Logger) LoggerFactory.getLogger(FatalErrorHandler.class);
    }

    @Test
    void anOutOfMemoryErrorIsLoggedAtErrorWithItsStackThenTheProcessHaltsWithExitCodeOne() {
        FatalErrorHandler handler = new FatalErrorHandler(halts::add);
        Thread controller = new Thread(() -> { }, "fjord-controller");
        handler.uncaughtException(controller, new OutOfMemoryError("Java heap space"));

        assertThat(halts).containsExactly(1);
        assertThat(lines.list).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.ERROR);
            assertThat(line.getFormattedMessage()).contains("fjord-controller");
            assertThat(line.getThrowableProxy().getClassName()).isEqualTo(OutOfMemoryError.class.getName());
            assertThat(line.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
        });

        handler.uncaughtException(controller, new StackOverflowError());
        assertThat(halts).as("halted once").containsExactly(1);
        assertThat(lines.list).hasSize(2);
    }

    /**
     * The wiring a node relies on: installed as the JVM's default, the handler hears of an error escaping a node
     * thread that has no handler of its own (as the log manager's threads no longer have).
     */
    @Test
    void installedAsTheDefaultItHearsOfAnErrorEscapingANodeThread() throws Exception {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        FatalErrorHandler handler = new FatalErrorHandler(halts::add);
        Thread.setDefaultUncaughtExceptionHandler(handler);
        try {
            Thread worker = new NamedThreadFactory("fjord-log-").newThread(() -> {
                throw new OutOfMemoryError("test: a worker runs out of memory");
            });
            worker.start();
            worker.join(Duration.ofSeconds(30).toMillis()); // the handler runs on the dying thread, before it ends
            assertThat(worker.isAlive()).isFalse();
            assertThat(halts).containsExactly(1);
            assertThat(lines.list).singleElement().satisfies(line ->
                    assertThat(line.getFormattedMessage()).contains("fjord-log-0"));
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
