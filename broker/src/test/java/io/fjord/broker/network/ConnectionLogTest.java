package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ConnectionLog} with a fake clock: one line per (cause, host) per interval, with the suppressed count. */
class ConnectionLogTest {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final InetSocketAddress ATTACKER = new InetSocketAddress("127.0.0.7", 40_001);
    private static final InetSocketAddress ATTACKER_OTHER_PORT = new InetSocketAddress("127.0.0.7", 40_002);
    private static final InetSocketAddress BYSTANDER = new InetSocketAddress("127.0.0.8", 40_001);

    private final AtomicLong nanos = new AtomicLong(-5_000); // nanoTime may be negative
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger logger;

    @BeforeEach
    void setUp() {
        logger = new LoggerContext().getLogger("connection-log-test");
        logger.setLevel(Level.DEBUG);
        lines.start();
        logger.addAppender(lines);
    }

    private ConnectionLog log(int keysMax) {
        return new ConnectionLog(logger, nanos::get, INTERVAL_NANOS, keysMax);
    }

    private static void badSize(ConnectionLog log, InetSocketAddress client) {
        log.warn(ConnectionLog.Cause.BAD_FRAME_SIZE, client, "Closing connection from {}: request size {}", client, -1);
    }

    @Test
    void aFloodFromOneHostLogsTheFirstLineThenOneAnIntervalWithTheSuppressedCount() {
        ConnectionLog log = log(100);
        for (int i = 0; i < 100_000; i++) {
            badSize(log, i % 2 == 0 ? ATTACKER : ATTACKER_OTHER_PORT);
        }
        assertThat(lines.list).hasSize(1);
        assertThat(lines.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(lines.list.get(0).getFormattedMessage()).contains("request size -1").doesNotContain("suppressed");

        nanos.addAndGet(INTERVAL_NANOS - 1);
        badSize(log, ATTACKER);
        assertThat(lines.list).hasSize(1);
        nanos.addAndGet(1);
        badSize(log, ATTACKER);
        assertThat(lines.list).hasSize(2);
        assertThat(lines.list.get(1).getFormattedMessage()).endsWith("(100000 similar suppressed)");

        nanos.addAndGet(INTERVAL_NANOS);
        badSize(log, ATTACKER);
        assertThat(lines.list.get(2).getFormattedMessage()).doesNotContain("suppressed");
    }

    @Test
    void causesAndHostsAreLimitedSeparately() {
        ConnectionLog log = log(100);
        for (int i = 0; i < 10; i++) {
            badSize(log, ATTACKER);
            badSize(log, BYSTANDER);
            log.warn(ConnectionLog.Cause.MALFORMED_REQUEST, ATTACKER, "Closing connection from {}: malformed", ATTACKER);
        }
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Closing connection from " + ATTACKER + ": request size -1",
                "Closing connection from " + BYSTANDER + ": request size -1",
                "Closing connection from " + ATTACKER + ": malformed");
    }

    @Test
    void theCountGoesBeforeATrailingExceptionWhichKeepsItsStack() {
        ConnectionLog log = log(100);
        IllegalStateException failure = new IllegalStateException("boom");
        for (int i = 0; i < 3; i++) {
            log.error(ConnectionLog.Cause.HANDLER_FAILURE, ATTACKER, "Handling {} failed", "PRODUCE", failure);
        }
        nanos.addAndGet(INTERVAL_NANOS);
        log.error(ConnectionLog.Cause.HANDLER_FAILURE, ATTACKER, "Handling {} failed", "PRODUCE", failure);

        assertThat(lines.list).hasSize(2);
        assertThat(lines.list.get(1).getLevel()).isEqualTo(Level.ERROR);
        assertThat(lines.list.get(1).getFormattedMessage()).isEqualTo("Handling PRODUCE failed (2 similar suppressed)");
        assertThat(lines.list.get(1).getThrowableProxy().getMessage()).isEqualTo("boom");
    }

    @Test
    void pastTheKeyBoundNewHostsShareOneKeyPerCause() {
        ConnectionLog log = log(2);
        for (int host = 1; host <= 50; host++) {
            badSize(log, new InetSocketAddress("127.0.1." + host, 9));
        }
        assertThat(lines.list).hasSize(3); // two hosts of their own, then one line for all the others

        nanos.addAndGet(INTERVAL_NANOS);
        badSize(log, new InetSocketAddress("127.0.2.1", 9)); // quiet keys are forgotten: a key of its own again
        assertThat(lines.list).hasSize(4);
        assertThat(lines.list.get(3).getFormattedMessage()).doesNotContain("suppressed");
    }
}
