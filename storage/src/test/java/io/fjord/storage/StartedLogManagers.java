package io.fjord.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The log managers one test starts, all on one manual clock, each over a config of its directories whose periodic
 * tasks keep their long defaults (the test drives them); {@link #close} shuts down every one of them (a manager the
 * test has shut down already ignores it).
 *
 * <p>Not thread-safe: one test's thread.
 */
final class StartedLogManagers implements AutoCloseable {
    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final List<LogManager> managers = new ArrayList<>();

    /** A manager over {@code dirs} with {@code extra} settings, started. */
    LogManager start(List<Path> dirs, Map<String, String> extra) {
        LogManager manager = new LogManager(LogManagerTestSupport.config(dirs, extra), clock);
        managers.add(manager);
        manager.startup();
        return manager;
    }

    /** The manager started last. */
    LogManager last() {
        return managers.get(managers.size() - 1);
    }

    @Override
    public void close() {
        managers.forEach(LogManager::shutdown);
    }
}
