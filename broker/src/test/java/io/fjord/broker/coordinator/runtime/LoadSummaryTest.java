package io.fjord.broker.coordinator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoadSummaryTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(LoadSummaryTest.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final AtomicLong nanos = new AtomicLong();
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
        logger.detachAppender(events);
        logger.setLevel(originalLevel);
    }

    @Test
    void aBurstOfLoadsIsOneLineWithCountRecordsAndDuration() {
        LoadSummary summary = new LoadSummary(logger, "offsets partitions", nanos::get);
        for (int partition = 0; partition < 50; partition++) {
            summary.expect();
        }
        summary.skipped();
        for (int partition = 0; partition < 49; partition++) {
            nanos.addAndGet(2_000_000);
            summary.loaded(partition == 0 ? 7 : 0);
        }
        assertThat(events.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            assertThat(event.getFormattedMessage()).isEqualTo("Loaded 49 offsets partitions (7 records) in 98 ms");
        });
    }

    @Test
    void failuresAreCountedInAWarningAndANewBurstStartsAfresh() {
        LoadSummary summary = new LoadSummary(logger, "offsets partitions", nanos::get);
        summary.expect();
        summary.expect();
        summary.loaded(1);
        summary.failed();
        summary.expect();
        summary.skipped(); // nothing loaded in this burst: nothing to say
        summary.expect();
        summary.loaded(2);
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Loaded 1 offsets partitions (1 records) in 0 ms; 1 failed to load and are retried",
                "Loaded 1 offsets partitions (2 records) in 0 ms");
    }
}
