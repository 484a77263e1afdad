package io.fjord.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.fjord.broker.LoggerLevels;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The node's Logback loggers under Kafka's BROKER_LOGGER names: the root logger is "root", Kafka's FATAL is Logback's
 * ERROR (Logback has no FATAL). Thread-safe (Logback's loggers are).
 */
final class LogbackLoggerLevels implements LoggerLevels {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogbackLoggerLevels.class);

    private final LoggerContext context;

    private LogbackLoggerLevels(LoggerContext context) {
        this.context = context;
    }

    /** The Logback loggers, or {@link LoggerLevels#NONE} when SLF4J is bound to another backend. */
    static LoggerLevels current() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        return factory instanceof LoggerContext context ? new LogbackLoggerLevels(context) : LoggerLevels.NONE;
    }

    @Override
    public Map<String, String> effectiveLevels() {
        Map<String, String> levels = new TreeMap<>();
        for (Logger logger : context.getLoggerList()) {
            levels.put(kafkaName(logger), logger.getEffectiveLevel().toString());
        }
        return levels;
    }

    @Override
    public boolean exists(String loggerName) {
        return loggerName.equals(ROOT_LOGGER) || context.exists(loggerName) != null;
    }

    @Override
    public void setLevel(String loggerName, String level) {
        logger(loggerName).setLevel(level.equals("FATAL") ? Level.ERROR : Level.toLevel(level));
        LOG.warn("Updated the log level of {} to {}", loggerName, level);
    }

    @Override
    public void unsetLevel(String loggerName) {
        logger(loggerName).setLevel(null);
        LOG.warn("Unset the log level of {}", loggerName);
    }

    private Logger logger(String loggerName) {
        return context.getLogger(loggerName.equals(ROOT_LOGGER) ? org.slf4j.Logger.ROOT_LOGGER_NAME : loggerName);
    }

    private static String kafkaName(Logger logger) {
        return logger.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? ROOT_LOGGER : logger.getName();
    }
}
