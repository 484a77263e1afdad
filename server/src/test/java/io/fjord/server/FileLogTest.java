package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
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
    void theDefaultConsoleConfigurationCarriesTheDateTheFilesPatternAndTheChosenLevel() {
        LoggerContext context = new LoggerContext();
        try {
            LogbackDefaults.apply(context, null);
            assertThat(context.getProperty("fjord.log.pattern")).isEqualTo(FileLog.DEFAULT_PATTERN)
                    .startsWith("[%d{\"yyyy-MM-dd HH:mm:ss,SSS\"}]");
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            assertThat(root.getLevel()).isEqualTo(Level.INFO);
            assertThat(root.getAppender("CONSOLE")).isInstanceOfSatisfying(ConsoleAppender.class, console -> {
                assertThat(console.getTarget()).isEqualTo("System.err");
                assertThat(console.isStarted()).isTrue();
            });
        } finally {
            context.stop();
        }
        LoggerContext debug = new LoggerContext();
        try {
            LogbackDefaults.apply(debug, "DEBUG");
            assertThat(debug.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
        } finally {
            debug.stop();
        }
    }

    @Test
    void logbackFindsTheDefaultsAsAServiceAndTheyStepAsideForAnXmlFileOnTheClassPath() {
        assertThat(ServiceLoader.load(Configurator.class)).anyMatch(LogbackDefaults.class::isInstance);
        // The test class path holds logback-test.xml: the user's file wins, and this context is left untouched.
        LoggerContext context = new LoggerContext();
        try {
            assertThat(new LogbackDefaults().configure(context))
                    .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE")).isNull();
        } finally {
            context.stop();
        }
    }
}
