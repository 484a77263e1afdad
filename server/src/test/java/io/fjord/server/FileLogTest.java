package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class FileLogTest {
    /** Kafka's timestamp: [2026-12-05 16:50:58,123]. */
    private static final String DATED_LINE = "^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}\\] ";

    @TempDir
    Path directory;

    @Test
    void theLogDirectoryComesFromThePropertyThenTheEnvironment() {
        assertThat(FileLog.configuredDirectory(null, null)).isEmpty();
        assertThat(FileLog.configuredDirectory(" ", "")).isEmpty();
        assertThat(FileLog.configuredDirectory(null, "/var/log/fjord")).contains(Path.of("/var/log/fjord"));
        assertThat(FileLog.configuredDirectory("/tmp/logs", "/var/log/fjord")).isEqualTo(Optional.of(Path.of("/tmp/logs")));
    }

    @Test
    void theNodeAlsoLogsToServerLogWithDatedLines() throws Exception {
        Path logs = directory.resolve("logs");
        assertThat(FileLog.install(logs)).isTrue();
        try {
            LoggerFactory.getLogger(FileLogTest.class).warn("written to the file");
        } finally {
            FileLog.remove();
        }
        String text = Files.readString(logs.resolve("server.log"), StandardCharsets.UTF_8);
        assertThat(text.lines()).anySatisfy(line -> assertThat(line).containsPattern(DATED_LINE + "WARN ")
                .endsWith("- written to the file"));
    }

    @Test
    void theConsolePatternCarriesTheDateAndIsTheFilesPattern() throws Exception {
        URL configuration = FileLogTest.class.getClassLoader().getResource("logback.xml");
        assertThat(configuration).isNotNull();
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(configuration);
        try {
            assertThat(context.getProperty("fjord.log.pattern")).isEqualTo(FileLog.DEFAULT_PATTERN)
                    .startsWith("[%d{\"yyyy-MM-dd HH:mm:ss,SSS\"}]");
        } finally {
            context.stop();
        }
    }
}
