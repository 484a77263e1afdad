package io.fjord.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The optional log file, Kafka's {@code server.log} habit: when {@code fjord.log.dir} (system property) or
 * {@code FJORD_LOG_DIR} (environment) names a directory, the node also logs to {@code server.log} there, rolled daily
 * and at {@value #FILE_SIZE_MAX} ({@code server.log.2026-12-05.0}, ...), keeping {@value #HISTORY_DAYS} days and at most
 * {@value #TOTAL_SIZE_MAX} in all. Same pattern as the console. Not thread-safe: installed once, on the main thread,
 * before the node starts.
 */
final class FileLog {
    static final String PROPERTY = "fjord.log.dir";
    static final String ENVIRONMENT_VARIABLE = "FJORD_LOG_DIR";
    static final String FILE_NAME = "server.log";
    private static final String APPENDER_NAME = "FILE";
    private static final String FILE_SIZE_MAX = "100MB";
    private static final int HISTORY_DAYS = 7;
    private static final String TOTAL_SIZE_MAX = "1GB";
    static final String DEFAULT_PATTERN = "[%d{\"yyyy-MM-dd HH:mm:ss,SSS\"}] %-5level %logger{20} - %msg%n";

    private FileLog() {
    }

    /** The log directory the property (first) or the environment variable names, if any. */
    static Optional<Path> configuredDirectory(String property, String environment) {
        String value = property != null && !property.isBlank() ? property : environment;
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
    }

    /**
     * Adds the rolling file appender to the root logger (creating the directory); false when SLF4J is not bound to
     * Logback, whose configuration then decides.
     */
    static boolean install(Path directory) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        Path absolute = directory.toAbsolutePath().normalize();
        PatternLayoutEncoder encoder = LogbackDefaults.encoder(context);

        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER_NAME);
        appender.setFile(absolute.resolve(FILE_NAME).toString());
        appender.setEncoder(encoder);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(absolute.resolve(FILE_NAME) + ".%d{yyyy-MM-dd}.%i");
        policy.setMaxFileSize(FileSize.valueOf(FILE_SIZE_MAX));
        policy.setMaxHistory(HISTORY_DAYS);
        policy.setTotalSizeCap(FileSize.valueOf(TOTAL_SIZE_MAX));
        policy.start();
        appender.setRollingPolicy(policy);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalStateException("cannot open the log file " + absolute.resolve(FILE_NAME));
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return true;
    }

    /** Removes and stops the appender {@link #install} added, if any. */
    static void remove() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            var appender = root.getAppender(APPENDER_NAME);
            if (appender != null) {
                root.detachAppender(appender);
                appender.stop();
            }
        }
    }
}
