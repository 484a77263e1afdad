package io.fjord.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import io.fjord.broker.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fjord start}: runs one node until SIGTERM (or Ctrl-C), then stops it cleanly. Without {@code --config} it is
 * a single node with broker and controller roles on {@code localhost:9092}, data in {@code ./data}. Runs on the main
 * thread; the shutdown hook stops the node.
 */
@Command(name = "start", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = {"Start a Fjord node: broker and controller in one process, until Ctrl-C or SIGTERM.",
                "Without --config: listener PLAINTEXT://localhost:9092, data in ./data under the current directory.",
                "Logs go to the console; set FJORD_LOG_DIR (or -Dfjord.log.dir) for a rotated server.log too,",
                "and -Dfjord.log.level (in FJORD_JAVA_OPTS) for the level, INFO by default."})
final class StartCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StartCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "A Kafka-style server.properties file.")
    Path configFile;

    /** Written once the node is ready and deleted when it begins to stop: how {@code fjord cluster} knows. */
    @Option(names = "--ready-file", paramLabel = "FILE", hidden = true)
    Path readyFile;

    @Override
    public Integer call() throws Exception {
        Optional<Path> logDirectory = FileLog.configuredDirectory(System.getProperty(FileLog.PROPERTY),
                System.getenv(FileLog.ENVIRONMENT_VARIABLE));
        if (logDirectory.isPresent()) {
            try {
                FileLog.install(logDirectory.get());
            } catch (IllegalStateException e) {
                System.err.println("fjord: " + e.getMessage());
                return 1;
            }
        }
        NodeConfig config;
        try {
            // Kafka's definitions check every known key's value; unknown keys are only worth a warning.
            config = NodeConfig.fromProperties(ServerProperties.read(configFile));
            for (String unknown : config.brokerConfig().unknownKeys()) {
                LOG.warn("Ignoring unknown configuration {}", unknown);
            }
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("fjord: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("fjord: cannot read the configuration file " + configFile + ": "
                    + IoErrors.reason(e));
            return 1;
        }
        FatalErrorHandler.install(); // before any thread of the node starts
        FjordNode node = new FjordNode(config, InstantSource.system());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdownHook = new Thread(() -> {
            ReadyFile.withdraw(readyFile);
            node.stop();
            stopped.countDown();
        }, "fjord-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            node.start();
        } catch (StartupWaits.StopRequestedException e) {
            // SIGTERM during start-up: the shutdown hook stops what was started; nothing failed.
            LOG.info("Stopped while starting: {}", e.getMessage());
            stopped.await();
            return 0;
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            // The node has already taken down what it had started; the cause is all the user needs.
            LOG.debug("Start-up failed", e);
            System.err.println("fjord: cannot start: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
        ReadyFile.announce(readyFile);
        stopped.await();
        return 0;
    }
}
