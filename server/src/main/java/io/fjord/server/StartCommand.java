package io.fjord.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    @Option(names = "--config", paramLabel = "FILE", description = "A Kafka-style server.properties file.")
    Path configFile;

    /** Written once the node is ready and deleted when it begins to stop: how {@code fjord cluster} knows. */
    @Option(names = "--ready-file", paramLabel = "FILE", hidden = true)
    Path readyFile;

    @Override
    public Integer call() throws Exception {
        return NodeRun.run(configFile, readyFile);
    }
}
