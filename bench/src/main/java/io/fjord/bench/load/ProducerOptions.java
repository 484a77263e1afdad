package io.fjord.bench.load;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/**
 * The producer settings the producing modes share (a picocli mixin), with the same defaults on Fjord and Kafka runs.
 * Not thread-safe; read once after parsing.
 */
final class ProducerOptions {
    @Option(names = "--acks", defaultValue = "all", description = "acks. Default: ${DEFAULT-VALUE}.")
    String acks;

    @Option(names = "--linger-ms", defaultValue = "5", description = "linger.ms. Default: ${DEFAULT-VALUE}.")
    int lingerMs;

    @Option(names = "--batch-size", defaultValue = "16384", description = "batch.size. Default: ${DEFAULT-VALUE}.")
    int batchSizeBytes;

    /** A producer's configuration: these settings, the bootstrap servers and the client id. */
    Properties producerProperties(String bootstrapServers, String clientId) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, acks);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchSizeBytes));
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return properties;
    }
}
