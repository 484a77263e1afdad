package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.TimestampType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogManagerConfigTest {
    private static final long HOUR_MS = 3_600_000L;

    @Test
    void defaultsAreKafkas() {
        LogManagerConfig config = LogManagerConfig.fromProperties(Map.of());
        assertThat(config.logDirs()).containsExactly(Path.of("/tmp/kraft-combined-logs"));
        assertThat(config.retentionCheckIntervalMs()).isEqualTo(300_000);
        assertThat(config.flushSchedulerIntervalMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.flushOffsetCheckpointIntervalMs()).isEqualTo(60_000);
        assertThat(config.flushStartOffsetCheckpointIntervalMs()).isEqualTo(60_000);
        assertThat(config.recoveryThreadsPerDataDir()).isEqualTo(2);
        assertThat(config.segmentOpenFilesMax()).isEqualTo(10_000);
        assertThat(config.segmentOpenIdleMs()).isEqualTo(600_000);
        assertThat(config.defaultLogConfig()).isEqualTo(LogConfig.defaults());
    }

    @Test
    void logDirsWinsOverLogDir() {
        assertThat(LogManagerConfig.fromProperties(Map.of("log.dir", "/data/one")).logDirs())
                .containsExactly(Path.of("/data/one"));
        assertThat(LogManagerConfig.fromProperties(Map.of("log.dir", "/data/one", "log.dirs", "/data/a, /data/b"))
                .logDirs()).containsExactly(Path.of("/data/a"), Path.of("/data/b"));
    }

    @Test
    void brokerNamesBecomeTopicDefaults() {
        LogConfig topic = LogManagerConfig.fromProperties(Map.ofEntries(
                Map.entry("log.segment.bytes", "4096"),
                Map.entry("log.roll.hours", "2"),
                Map.entry("log.roll.jitter.hours", "1"),
                Map.entry("log.index.size.max.bytes", "2048"),
                Map.entry("log.index.interval.bytes", "100"),
                Map.entry("message.max.bytes", "5000"),
                Map.entry("log.flush.interval.messages", "7"),
                Map.entry("log.flush.interval.ms", "900"),
                Map.entry("log.retention.bytes", "123456"),
                Map.entry("log.cleanup.policy", "compact,delete"),
                Map.entry("log.cleaner.delete.retention.ms", "11"),
                Map.entry("log.cleaner.min.compaction.lag.ms", "12"),
                Map.entry("log.cleaner.max.compaction.lag.ms", "13"),
                Map.entry("log.cleaner.min.cleanable.ratio", "0.25"),
                Map.entry("log.message.timestamp.type", "LogAppendTime"),
                Map.entry("log.segment.delete.delay.ms", "14"),
                Map.entry("log.preallocate", "true"))).defaultLogConfig();
        assertThat(topic.segmentBytes()).isEqualTo(4096);
        assertThat(topic.segmentMs()).isEqualTo(2 * HOUR_MS);
        assertThat(topic.segmentJitterMs()).isEqualTo(HOUR_MS);
        assertThat(topic.segmentIndexBytes()).isEqualTo(2048);
        assertThat(topic.indexIntervalBytes()).isEqualTo(100);
        assertThat(topic.maxMessageBytes()).isEqualTo(5000);
        assertThat(topic.flushMessages()).isEqualTo(7);
        assertThat(topic.flushMs()).isEqualTo(900);
        assertThat(topic.retentionBytes()).isEqualTo(123456);
        assertThat(topic.compact()).isTrue();
        assertThat(topic.delete()).isTrue();
        assertThat(topic.deleteRetentionMs()).isEqualTo(11);
        assertThat(topic.minCompactionLagMs()).isEqualTo(12);
        assertThat(topic.maxCompactionLagMs()).isEqualTo(13);
        assertThat(topic.minCleanableDirtyRatio()).isEqualTo(0.25);
        assertThat(topic.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(topic.fileDeleteDelayMs()).isEqualTo(14);
        assertThat(topic.preallocate()).isTrue();
    }

    @Test
    void rollMsWinsOverRollHours() {
        LogConfig topic = LogManagerConfig.fromProperties(Map.of("log.roll.ms", "5000", "log.roll.hours", "3",
                "log.roll.jitter.ms", "70", "log.roll.jitter.hours", "1")).defaultLogConfig();
        assertThat(topic.segmentMs()).isEqualTo(5000);
        assertThat(topic.segmentJitterMs()).isEqualTo(70);
    }

    @Test
    void retentionMsWinsOverMinutesWhichWinOverHours() {
        assertThat(retentionMs(Map.of())).isEqualTo(168 * HOUR_MS);
        assertThat(retentionMs(Map.of("log.retention.hours", "5"))).isEqualTo(5 * HOUR_MS);
        assertThat(retentionMs(Map.of("log.retention.hours", "5", "log.retention.minutes", "3"))).isEqualTo(180_000);
        assertThat(retentionMs(Map.of("log.retention.hours", "5", "log.retention.minutes", "3",
                "log.retention.ms", "42"))).isEqualTo(42);
        assertThat(retentionMs(Map.of("log.retention.ms", "-5"))).isEqualTo(-1);
        assertThat(retentionMs(Map.of("log.retention.hours", "-1"))).isEqualTo(-1);
    }

    private static long retentionMs(Map<String, String> properties) {
        return LogManagerConfig.fromProperties(properties).defaultLogConfig().retentionMs();
    }

    @Test
    void flushIntervalFallsBackToTheSchedulerInterval() {
        assertThat(LogManagerConfig.fromProperties(Map.of("log.flush.scheduler.interval.ms", "3000"))
                .defaultLogConfig().flushMs()).isEqualTo(3000);
    }

    @Test
    void badValuesNameTheirKey() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("log.retention.check.interval.ms", "soon"),
                Map.entry("log.retention.check.interval.ms", "0"),
                Map.entry("num.recovery.threads.per.data.dir", "0"),
                Map.entry("log.segment.open.files.max", "-3"),
                Map.entry("log.segment.open.idle.ms", "1.5"),
                Map.entry("log.segment.bytes", "10"),
                Map.entry("log.segment.bytes", "99999999999"),
                Map.entry("log.roll.hours", "0"),
                Map.entry("log.retention.minutes", "many"),
                Map.entry("log.retention.hours", "99999999999999"),
                Map.entry("log.cleanup.policy", "shred"),
                Map.entry("log.cleaner.min.cleanable.ratio", "1.5"),
                Map.entry("log.message.timestamp.type", "WallClock"),
                Map.entry("log.preallocate", "yes"),
                Map.entry("log.flush.interval.messages", "0"))) {
            assertThatThrownBy(() -> LogManagerConfig.fromProperties(Map.of(bad.getKey(), bad.getValue())))
                    .as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.getKey())
                    .hasMessageContaining(bad.getValue());
        }
    }

    @Test
    void duplicateDirectoriesAreRejected() {
        assertThatThrownBy(() -> LogManagerConfig.fromProperties(Map.of("log.dirs", "/data/a,/data/a/")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("log.dirs");
    }
}
