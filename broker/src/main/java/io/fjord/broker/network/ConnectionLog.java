package io.fjord.broker.network;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Rate-limits the lines the network layer logs about refused and closed connections, so a flood of bad frames
 * cannot flood the log: per (cause, client host) the first line is logged, then at most one per interval, which says
 * how many similar lines were suppressed since the last one. Keys are bounded; past the bound, hosts of one cause
 * share a key.
 *
 * <p>Thread-safe: the counts are guarded by this object's monitor; logging happens outside it.
 */
final class ConnectionLog {
    /** Why a connection was refused or closed. */
    enum Cause {
        BAD_FRAME_SIZE,
        MALFORMED_REQUEST,
        UNKNOWN_API_KEY,
        UNSUPPORTED_VERSION,
        MAX_CONNECTIONS,
        /** A connection refused because its address has {@code max.connections.per.ip} open. */
        MAX_CONNECTIONS_PER_IP,
        /** A least recently used connection closed because the broker has more than {@code max.connections}. */
        MAX_CONNECTIONS_EVICTION,
        HANDLER_FAILURE,
        /**
         * A failed authentication: SASL (a wrong password, an unknown user or mechanism), or a TLS handshake that
         * failed or whose client certificate maps to no principal.
         */
        AUTHENTICATION_FAILURE,
        /** A request out of the SASL sequence on a SASL listener, or after the session expired. */
        SASL_STATE,
        RESPONSE_ENCODING_FAILURE,
        /** A small response's records could not be read whole for its one write (the segment was truncated). */
        RESPONSE_READ_FAILURE,
        /** A handler asked for the close instead of a response ({@link ConnectionCloseRequest}). */
        CLOSE_REQUESTED
    }

    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int DEFAULT_KEYS_MAX = 10_000;
    private static final String SHARED_HOST = "(other hosts)";

    private record Key(Cause cause, String host) {
    }

    /** When the last line of a key was logged and how many were suppressed since. */
    private static final class Window {
        long loggedNanos;
        long suppressed;
    }

    private final Logger logger;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final int keysMax;
    private final Map<Key, Window> windows = new HashMap<>();
    private long evictedNanos;

    ConnectionLog(Logger logger, LongSupplier nanoClock, long intervalNanos, int keysMax) {
        this.logger = logger;
        this.nanoClock = nanoClock;
        this.intervalNanos = intervalNanos;
        this.keysMax = keysMax;
        this.evictedNanos = nanoClock.getAsLong() - intervalNanos;
    }

    /** Logs as {@code io.fjord.broker.network.ConnectionLog}, at most a line per key every 10 seconds. */
    static ConnectionLog withDefaults() {
        return new ConnectionLog(LoggerFactory.getLogger(ConnectionLog.class), System::nanoTime,
                DEFAULT_INTERVAL_NANOS, DEFAULT_KEYS_MAX);
    }

    void info(Cause cause, SocketAddress client, String format, Object... arguments) {
        log(Level.INFO, cause, client, format, arguments);
    }

    void warn(Cause cause, SocketAddress client, String format, Object... arguments) {
        log(Level.WARN, cause, client, format, arguments);
    }

    void error(Cause cause, SocketAddress client, String format, Object... arguments) {
        log(Level.ERROR, cause, client, format, arguments);
    }

    private void log(Level level, Cause cause, SocketAddress client, String format, Object[] arguments) {
        if (!logger.isEnabledForLevel(level)) {
            return;
        }
        long suppressed = admit(cause, host(client));
        if (suppressed < 0) {
            return;
        }
        if (suppressed == 0) {
            logger.atLevel(level).log(format, arguments);
            return;
        }
        // The count goes before a trailing exception, which SLF4J logs with its stack only when it comes last.
        boolean withThrowable = arguments.length > 0 && arguments[arguments.length - 1] instanceof Throwable;
        int countAt = withThrowable ? arguments.length - 1 : arguments.length;
        Object[] extended = new Object[arguments.length + 1];
        System.arraycopy(arguments, 0, extended, 0, countAt);
        extended[countAt] = suppressed;
        System.arraycopy(arguments, countAt, extended, countAt + 1, arguments.length - countAt);
        logger.atLevel(level).log(format + " ({} similar suppressed)", extended);
    }

    /** -1 to suppress this line, else how many similar lines were suppressed before it. */
    private synchronized long admit(Cause cause, String host) {
        long now = nanoClock.getAsLong();
        Key key = new Key(cause, host);
        Window window = windows.get(key);
        if (window == null) {
            if (windows.size() >= keysMax && now - evictedNanos >= intervalNanos) {
                evictExpired(now); // at most once an interval: a scan per line would cost too much under a flood
                evictedNanos = now;
            }
            if (windows.size() >= keysMax) {
                key = new Key(cause, SHARED_HOST);
                window = windows.get(key);
            }
            if (window == null) {
                window = new Window();
                window.loggedNanos = now;
                windows.put(key, window);
                return 0;
            }
        }
        if (now - window.loggedNanos < intervalNanos) {
            window.suppressed++;
            return -1;
        }
        long suppressed = window.suppressed;
        window.loggedNanos = now;
        window.suppressed = 0;
        return suppressed;
    }

    /** Forgets keys quiet for an interval with nothing suppressed (their next line is logged anyway). */
    private void evictExpired(long now) {
        Iterator<Window> iterator = windows.values().iterator();
        while (iterator.hasNext()) {
            Window window = iterator.next();
            if (window.suppressed == 0 && now - window.loggedNanos >= intervalNanos) {
                iterator.remove();
            }
        }
    }

    private static String host(SocketAddress client) {
        if (client instanceof InetSocketAddress address) {
            return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        }
        return String.valueOf(client);
    }
}
