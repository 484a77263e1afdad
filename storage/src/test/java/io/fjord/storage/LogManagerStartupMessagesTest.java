package io.fjord.storage;

import static io.fjord.storage.LogManagerTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fjord.storage.internal.LogDirectoryLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What start-up says about the previous shutdown: only what is true, and in English. */
class LogManagerStartupMessagesTest {
    @TempDir
    Path root;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final Logger logger = (Logger) LoggerFactory.getLogger(LogDirectoryLoader.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final List<LogManager> running = new ArrayList<>();
    private Level originalLevel;

    @BeforeEach
    void capture() {
        originalLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        running.forEach(LogManager::shutdown);
        logger.detachAppender(events);
        logger.setLevel(originalLevel);
    }

    private LogManager start() {
        LogManager manager = new LogManager(config(List.of(root.resolve("data")), Map.of()), clock);
        running.add(manager);
        manager.startup();
        return manager;
    }

    private List<String> messages() {
        List<String> messages = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        events.list.clear();
        return messages;
    }

    @Test
    void aNewDirectoryIsNotReportedAsAnUncleanShutdown() {
        start();
        assertThat(messages()).containsExactly("No logs to load from " + root.resolve("data"));
    }

    @Test
    void restartsSayCleanOrUncleanWithTheNumberOfLogs() {
        LogManager first = start();
        first.getOrCreateLog(new TopicPartition("t", 0), first.config().defaultLogConfig());
        first.shutdown();
        running.remove(first);
        messages();

        LogManager second = start();
        assertThat(messages()).first().isEqualTo("Loading 1 logs from " + root.resolve("data")
                + " after a clean shutdown");
        second.crashForTesting();
        running.remove(second);

        start();
        assertThat(messages()).first().asString().startsWith("Loading 1 logs from " + root.resolve("data")
                + " after an unclean shutdown");
    }
}
