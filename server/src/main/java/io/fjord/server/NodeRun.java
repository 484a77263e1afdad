package io.fjord.server;

import io.fjord.broker.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's life in this process, for {@code fjord start} and for the nodes {@code fjord cluster} starts
 * ({@link ClusterNodeMain}): reads the configuration, starts the node, announces it in the ready file, and waits
 * until the shutdown hook (SIGTERM, Ctrl-C) has stopped it cleanly. Runs on the calling (main) thread.
 */
final class NodeRun {
    /** Netty's switch for the Flight Recorder events of its buffer allocators. */
    private static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";
    private static final Logger LOG = LoggerFactory.getLogger(NodeRun.class);

    private NodeRun() {
    }

    /**
     * Runs the node of {@code configFile} (the zero-configuration node when null) until it is stopped.
     *
     * @param readyFile written once the node is ready and deleted when it begins to stop; null for none
     * @return the process's exit code: 0 after a clean stop, 1 when the node could not start
     */
    static int run(Path configFile, Path readyFile) throws InterruptedException {
        withoutNettyFlightRecorderEvents();
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

    /**
     * Netty's allocators emit Flight Recorder events unless told not to: their first chunk initialises the recorder's
     * machinery on an event loop, a few hundred milliseconds of a loaded machine's start-up for events Fjord never
     * records. Called before any Netty class loads; {@code -Dio.netty.jfr.enabled=true} brings them back.
     */
    static void withoutNettyFlightRecorderEvents() {
        if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
            System.setProperty(NETTY_JFR_PROPERTY, "false");
        }
    }
}
