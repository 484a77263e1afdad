package io.fjord.server;

import io.fjord.broker.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fjord format}: prepares a node's directories before its first start, as Kafka's {@code kafka-storage format}
 * does: {@code meta.properties} with the cluster id, the node id and a directory id in every {@code log.dirs} entry
 * and the {@code metadata.log.dir}. Not thread-safe; runs once on the main thread.
 */
@Command(name = "format", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = {"Format a node's data directories (log.dirs and metadata.log.dir) for a cluster,",
                "as kafka-storage format does: meta.properties with cluster.id, node.id and a new directory.id.",
                "Refuses a directory formatted already, unless --ignore-formatted (then formats only the others).",
                "Get a cluster id from fjord random-uuid. Exits 1 with one line naming the cause on failure."})
final class FormatCommand implements Callable<Integer> {
    @Option(names = {"-t", "--cluster-id"}, required = true, paramLabel = "ID",
            description = "The cluster id: a UUID in Kafka's base64 form, e.g. from fjord random-uuid.")
    String clusterId;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The node's server.properties (the file fjord start --config reads).")
    Path configFile;

    @Option(names = {"-g", "--ignore-formatted"},
            description = "Leave directories formatted for this cluster and node alone; format the others.")
    boolean ignoreFormatted;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    @Override
    public Integer call() {
        NodeConfig config;
        try {
            config = NodeConfig.fromProperties(ServerProperties.read(configFile));
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("fjord: format: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("fjord: format: cannot read the configuration file " + configFile + ": "
                    + IoErrors.reason(e));
            return 1;
        }
        try {
            new NodeDirectories(config, UUID::randomUUID).format(clusterId, ignoreFormatted, out);
        } catch (IllegalStateException e) {
            err.println("fjord: format: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
