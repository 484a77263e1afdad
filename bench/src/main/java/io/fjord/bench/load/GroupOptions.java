package io.fjord.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine.Option;

/** Options the group benchmarks share (a picocli mixin). Not thread-safe; read once after parsing. */
final class GroupOptions {
    @Option(names = {"-b", "--bootstrap-server"}, required = true, paramLabel = "HOST:PORT",
            description = "Broker(s) to connect to (Fjord or Kafka).")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, required = true, description = "Topic the group reads.")
    String topic;

    @Option(names = {"-g", "--group"}, description = "Group id. Default: a new id per run.")
    String groupId;

    @Option(names = "--group-protocol", defaultValue = "classic",
            description = "group.protocol: classic or consumer (KIP-848). Default: ${DEFAULT-VALUE}.")
    String groupProtocol;

    @Option(names = {"-X", "--property"}, paramLabel = "KEY=VALUE",
            description = "Extra consumer configuration, e.g. -X partition.assignment.strategy=...")
    Map<String, String> properties = new LinkedHashMap<>();

    String groupIdOrNew(String prefix) {
        if (groupId == null) {
            groupId = prefix + "-" + Long.toHexString(System.nanoTime());
        }
        return groupId;
    }

    /** The consumer configuration of a group member; {@code -X} settings win. */
    Properties consumerProperties(String clientId) {
        Properties consumer = new Properties();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupIdOrNew("fjord-bench"));
        consumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, groupProtocol);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        consumer.putAll(properties);
        return consumer;
    }
}
