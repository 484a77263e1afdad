package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogCleanerConfigTest {
    @Test
    void defaultsAreKafkas() {
        LogCleanerConfig config = LogCleanerConfig.fromProperties(Map.of());
        assertThat(config).isEqualTo(LogCleanerConfig.defaults());
        assertThat(config.enabled()).isTrue();
        assertThat(config.threads()).isEqualTo(1);
        assertThat(config.dedupeBufferSizeBytes()).isEqualTo(134_217_728L);
        assertThat(config.ioBufferSizeBytes()).isEqualTo(524_288);
        assertThat(config.ioBufferLoadFactor()).isEqualTo(0.9);
        assertThat(config.backoffMs()).isEqualTo(15_000);
        assertThat(config.ioMaxBytesPerSecond()).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void readsKafkasBrokerNames() {
        LogCleanerConfig config = LogCleanerConfig.fromProperties(Map.of("log.cleaner.enable", "false",
                "log.cleaner.threads", "4", "log.cleaner.dedupe.buffer.size", "1048576",
                "log.cleaner.io.buffer.size", "65536", "log.cleaner.backoff.ms", "100",
                "log.cleaner.io.max.bytes.per.second", "1e6", "log.cleaner.io.buffer.load.factor", "0.5",
                "unrelated", "x"));
        assertThat(config).isEqualTo(new LogCleanerConfig(false, 4, 1_048_576, 65_536, 0.5, 100, 1e6));
        assertThat(config.dedupeBufferSizeBytesPerThread()).isEqualTo(262_144);
    }

    @Test
    void rejectsBadValuesNamingTheKey() {
        assertThatThrownBy(() -> LogCleanerConfig.fromProperties(Map.of("log.cleaner.threads", "0")))
                .hasMessageContaining("log.cleaner.threads");
        assertThatThrownBy(() -> LogCleanerConfig.fromProperties(Map.of("log.cleaner.backoff.ms", "soon")))
                .hasMessageContaining("log.cleaner.backoff.ms");
        assertThatThrownBy(() -> LogCleanerConfig.fromProperties(Map.of("log.cleaner.enable", "yes")))
                .hasMessageContaining("log.cleaner.enable");
        assertThatThrownBy(() -> LogCleanerConfig.fromProperties(Map.of("log.cleaner.dedupe.buffer.size", "10")))
                .hasMessageContaining("log.cleaner.dedupe.buffer.size");
    }
}
