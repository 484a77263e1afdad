package io.fjord.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Fjord's default logging, set up in code rather than from an XML file: Kafka's dated lines
 * ({@value FileLog#DEFAULT_PATTERN}) on standard error, at the level of {@code -Dfjord.log.level} (INFO by default).
 * Logback finds it as a service ({@code META-INF/services}) and asks it first; building the same configuration from
 * {@code logback.xml} took each JVM about a tenth of a second of CPU (an XML parser and Logback's reflective model),
 * paid four times when {@code fjord cluster} starts three nodes.
 *
 * <p>A configuration the user supplies still wins, as with Logback's own lookup: when {@code logback.configurationFile}
 * is set or the class path holds a {@code logback-test.xml} or {@code logback.xml}, this configurator steps aside and
 * Logback reads that file.
 *
 * <p>Not thread-safe: Logback calls it once, while it initialises, on the thread that first asks for a logger.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogbackDefaults extends ContextAwareBase implements Configurator {
    /** The context property {@link FileLog} reads: a user's XML configuration may define its own pattern there. */
    static final String PATTERN_PROPERTY = "fjord.log.pattern";
    static final String LEVEL_PROPERTY = "fjord.log.level";
    private static final String APPENDER_NAME = "CONSOLE";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (userConfigurationPresent()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getProperty(LEVEL_PROPERTY));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Installs the console appender and the root level ({@code level}, INFO when null or not a level's name). */
    static void apply(LoggerContext context, String level) {
        context.putProperty(PATTERN_PROPERTY, FileLog.DEFAULT_PATTERN);
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER_NAME);
        console.setTarget("System.err");
        console.setEncoder(encoder(context));
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(console);
    }

    /**
     * A started encoder of the context's pattern ({@value #PATTERN_PROPERTY}, which a user's XML configuration may
     * define), else Fjord's; the console's and {@link FileLog}'s lines share it.
     */
    static PatternLayoutEncoder encoder(LoggerContext context) {
        String pattern = context.getProperty(PATTERN_PROPERTY);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern == null ? FileLog.DEFAULT_PATTERN : pattern);
        encoder.start();
        return encoder;
    }

    private static boolean userConfigurationPresent() {
        String file = System.getProperty("logback.configurationFile");
        if (file != null && !file.isBlank()) {
            return true;
        }
        ClassLoader loader = LogbackDefaults.class.getClassLoader();
        return loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
    }
}
