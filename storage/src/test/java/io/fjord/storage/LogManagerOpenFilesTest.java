package io.fjord.storage;

import static io.fjord.storage.LogManagerTestSupport.appendValues;
import static io.fjord.storage.LogManagerTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.internal.LogSegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared segment handle cache bounds open segment files across all logs of a manager. */
class LogManagerOpenFilesTest {
    private static final int OPEN_MAX = 3;
    private static final int LOG_COUNT = 4;

    @TempDir
    Path root;
    private final StartedLogManagers managers = new StartedLogManagers();
    private final ManualClock clock = managers.clock;
    private final Map<TopicPartition, List<String>> expected = new HashMap<>();

    @AfterEach
    void stopAll() {
        managers.close();
    }

    private LogManager start(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("log.segment.open.files.max", Integer.toString(OPEN_MAX));
        properties.put("log.segment.bytes", "300");
        return managers.start(List.of(root.resolve("a"), root.resolve("b")), properties);
    }

    private void fill(LogManager manager) {
        for (int number = 0; number < LOG_COUNT; number++) {
            PartitionLog log = manager.getOrCreateLog(new TopicPartition("t", number),
                    manager.config().defaultLogConfig());
            expected.put(log.topicPartition(), appendValues(log, "p" + number + "-", 25, clock.millis()));
            assertThat(log.segmentCount()).isGreaterThan(OPEN_MAX);
        }
    }

    /** Segments holding open files, counted on the segments themselves rather than trusting the cache. */
    private static int openSegments(LogManager manager) {
        int open = 0;
        for (PartitionLog log : manager.allLogs()) {
            for (LogSegment segment : log.segments()) {
                if (segment.isOpen()) {
                    open++;
                }
            }
        }
        return open;
    }

    private void readEverythingAndCheckTheBound(LogManager manager) {
        for (PartitionLog log : manager.allLogs()) {
            assertThat(values(log.readAllFrom(0))).containsExactlyElementsOf(expected.get(log.topicPartition()));
            for (long offset = 0; offset < log.logEndOffset(); offset += 3) {
                assertThat(values(log.readAllFrom(offset))).first()
                        .isEqualTo(expected.get(log.topicPartition()).get((int) offset));
            }
            assertThat(manager.openInactiveSegmentCount()).isLessThanOrEqualTo(OPEN_MAX);
            assertThat(openSegments(manager)).isLessThanOrEqualTo(OPEN_MAX + LOG_COUNT);
        }
    }

    @Test
    void readsOfEverySegmentKeepOpenFilesBoundedAcrossLogs() {
        LogManager manager = start(Map.of());
        fill(manager);
        await().atMost(Duration.ofSeconds(10)).until(() -> openSegments(manager) <= OPEN_MAX + LOG_COUNT);
        readEverythingAndCheckTheBound(manager);
    }

    @Test
    void loadingAfterARestartDoesNotLeaveSegmentsOpen() {
        LogManager first = start(Map.of());
        fill(first);
        first.shutdown();

        LogManager clean = start(Map.of());
        assertThat(openSegments(clean)).isEqualTo(LOG_COUNT); // only the active segments
        readEverythingAndCheckTheBound(clean);
        clean.crashForTesting();

        LogManager recovered = start(Map.of()); // unclean: every segment is re-validated on load
        assertThat(openSegments(recovered)).isEqualTo(LOG_COUNT);
        readEverythingAndCheckTheBound(recovered);
    }

    @Test
    void idleSegmentsCloseOnlyAfterTheIdleTime() {
        LogManager patient = start(Map.of("log.segment.open.idle.ms", "3600000"));
        fill(patient);
        readEverythingAndCheckTheBound(patient);
        assertThat(patient.openInactiveSegmentCount()).isPositive();
        assertThat(patient.closeIdleSegmentsOnce()).isZero();
        patient.shutdown();

        LogManager eager = start(Map.of("log.segment.open.idle.ms", "0"));
        readEverythingAndCheckTheBound(eager);
        // The manager's own sweep (every 10 ms at this idle time) may close some or all of them first: together the
        // sweep and this call leave none open.
        eager.closeIdleSegmentsOnce();
        assertThat(eager.openInactiveSegmentCount()).isZero();
        assertThat(openSegments(eager)).isEqualTo(LOG_COUNT);
        readEverythingAndCheckTheBound(eager); // closed segments reopen on demand
    }

    @Test
    void theSchedulerClosesIdleSegments() {
        LogManager manager = start(Map.of("log.segment.open.idle.ms", "50"));
        fill(manager);
        readEverythingAndCheckTheBound(manager);
        await().atMost(Duration.ofSeconds(10)).until(() -> manager.openInactiveSegmentCount() == 0
                && openSegments(manager) == LOG_COUNT);
    }
}
