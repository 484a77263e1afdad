package io.fjord.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options both modes share (a picocli mixin). Not thread-safe; read once after parsing. */
final class CommonOptions {
    @Option(names = {"-b", "--bootstrap-server"}, required = true, paramLabel = "HOST:PORT",
            description = "Broker(s) to connect to (Fjord or Kafka).")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, required = true, description = "Topic to write or read.")
    String topic;

    @Option(names = {"-n", "--records"}, required = true, description = "Number of records to send or read.")
    long records;

    @Option(names = {"-s", "--record-size"}, defaultValue = "100",
            description = "Value size in bytes (no key). Default: ${DEFAULT-VALUE}.")
    int recordSizeBytes;

    @Option(names = {"-p", "--partitions"}, defaultValue = "0",
            description = "Create the topic with this many partitions (replication factor 1) if it does not exist; "
                    + "0 leaves the topic alone. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = {"-X", "--property"}, paramLabel = "KEY=VALUE",
            description = "Extra client configuration, e.g. -X max.in.flight.requests.per.connection=1.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--reporting-interval-ms", defaultValue = "1000",
            description = "Progress line interval. Default: ${DEFAULT-VALUE}.")
    long reportingIntervalMs;
}
