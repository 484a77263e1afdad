package io.fjord.bench.cluster;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Option;

/**
 * The cluster every command measures (a picocli mixin): its client listeners, and an Admin client on them with the
 * bench's settings ({@link BenchAdmin}). Not thread-safe; read once after parsing.
 */
final class ClusterOptions {
    @Option(names = {"-b", "--bootstrap-server"}, required = true, paramLabel = "HOST:PORT,...",
            description = "The cluster's client listeners.")
    String bootstrapServers;

    /** A new Admin client on the cluster; the caller closes it. */
    Admin admin() {
        return BenchAdmin.create(bootstrapServers, Map.of());
    }
}
