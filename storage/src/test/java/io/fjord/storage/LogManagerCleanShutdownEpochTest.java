package io.fjord.storage;

import static io.fjord.storage.LogManagerTestSupport.appendValues;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-966: a clean shutdown records the broker epoch in every data directory's {@code .kafka_cleanshutdown} (Kafka's
 * file name and JSON), and the next start offers it as the previous broker epoch only if every directory agrees.
 */
class LogManagerCleanShutdownEpochTest {
    @TempDir
    Path root;
    private final StartedLogManagers managers = new StartedLogManagers();
    private final ManualClock clock = managers.clock;

    @AfterEach
    void stopAll() {
        managers.close();
    }

    private List<Path> dirs(String... names) {
        return Stream.of(names).map(root::resolve).toList();
    }

    private LogManager start(List<Path> dirs) {
        return managers.start(dirs, Map.of());
    }

    private static String marker(Path dir) throws IOException {
        return Files.readString(dir.resolve(".kafka_cleanshutdown"), StandardCharsets.UTF_8);
    }

    @Test
    void aCleanShutdownRecordsTheBrokerEpochInKafkasFormatAndTheNextStartOffersIt() throws IOException {
        List<Path> dirs = dirs("a", "b");
        LogManager manager = start(dirs);
        assertThat(manager.previousBrokerEpoch()).as("a new directory").isEmpty();
        manager.getOrCreateLog(new TopicPartition("t", 0), manager.config().defaultLogConfig());
        manager.shutdown(42);
        for (Path dir : dirs) {
            assertThat(marker(dir)).isEqualTo("{\"version\":0,\"brokerEpoch\":42}");
        }

        LogManager restarted = start(dirs);
        assertThat(restarted.previousBrokerEpoch()).isEqualTo(OptionalLong.of(42));
        for (Path dir : dirs) {
            assertThat(dir.resolve(".kafka_cleanshutdown")).as("removed once loaded").doesNotExist();
        }
    }

    @Test
    void aCrashLeavesNoEpochForTheNextStart() {
        List<Path> dirs = dirs("a");
        LogManager manager = start(dirs);
        appendValues(manager.getOrCreateLog(new TopicPartition("t", 0), manager.config().defaultLogConfig()), "x", 3,
                clock.millis());
        manager.shutdown(7);
        LogManager second = start(dirs);
        second.crashForTesting();

        assertThat(start(dirs).previousBrokerEpoch()).isEmpty();
    }

    @Test
    void directoriesThatDisagreeOrLackAnEpochOfferNone() throws IOException {
        List<Path> dirs = dirs("a", "b");
        start(dirs).shutdown(5);
        Files.writeString(dirs.get(1).resolve(".kafka_cleanshutdown"), "{\"version\":0,\"brokerEpoch\":6}");
        assertThat(start(dirs).previousBrokerEpoch()).as("disagreeing epochs").isEmpty();
        managers.last().shutdown(5);

        Files.delete(dirs.get(1).resolve(".kafka_cleanshutdown"));
        assertThat(start(dirs).previousBrokerEpoch()).as("one directory shut down uncleanly").isEmpty();
    }

    @Test
    void aMarkerWithoutAnEpochIsStillACleanShutdownButOffersNone() throws IOException {
        List<Path> dirs = dirs("a");
        start(dirs).shutdown();
        assertThat(marker(dirs.get(0))).isEqualTo("{\"version\":0,\"brokerEpoch\":-1}");
        assertThat(start(dirs).previousBrokerEpoch()).isEqualTo(OptionalLong.of(-1));
        managers.last().shutdown(9);

        // Malformed content (not Kafka's JSON): clean for recovery, no epoch.
        Files.writeString(dirs.get(0).resolve(".kafka_cleanshutdown"), "brokerEpoch=9");
        assertThat(start(dirs).previousBrokerEpoch()).isEmpty();
        assertThat(dirs.get(0).resolve(".kafka_cleanshutdown")).doesNotExist();
    }

    @Test
    void theEmptyMarkerOfOlderFjordVersionsCountsAsCleanWithoutAnEpochAndIsRemoved() throws IOException {
        List<Path> dirs = dirs("a");
        start(dirs).shutdown(3);
        Files.delete(dirs.get(0).resolve(".kafka_cleanshutdown"));
        Files.createFile(dirs.get(0).resolve(".fjord_cleanshutdown"));

        LogManager restarted = start(dirs);
        assertThat(restarted.previousBrokerEpoch()).isEmpty();
        assertThat(dirs.get(0).resolve(".fjord_cleanshutdown")).doesNotExist();
    }
}
