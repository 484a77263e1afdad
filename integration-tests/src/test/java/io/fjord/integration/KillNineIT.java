package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fjord node in a child process takes acks=all produce load and is killed with SIGKILL mid-stream; after a restart
 * on the same data every acknowledged record is there, at the offset it was acknowledged with. (The OS page cache
 * survives a process crash, so nothing acknowledged may be lost even without fsync.)
 */
class KillNineIT {
    @TempDir
    Path data;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesKillNine() throws Exception {
        int port = freePort();
        Path config = data.resolve("server.properties");
        Path logDirectory = data.resolve("logs");
        Files.writeString(config, "node.id=1\nlisteners=PLAINTEXT://127.0.0.1:" + port + "\nlog.dirs=" + logDirectory
                + "\nnum.partitions=2\n");
        Path output = data.resolve("node.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process node = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.fjord.server.FjordCli", "start", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        Map<Long, String> acknowledgedOther = new ConcurrentHashMap<>();
        try {
            // The test class path logs at WARN, so wait for the listener rather than the ready line.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                    return socket.isConnected();
                }
            });
            String bootstrap = "127.0.0.1:" + port;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic("durable", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
            properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
            properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                    new StringSerializer())) {
                // Send 10,000 records, kill the node with requests in flight, send a few hundred more into the void.
                for (int index = 0; index < 10_500; index++) {
                    String value = "value-" + index;
                    producer.send(new ProducerRecord<>("durable", index % 2, null, value), (metadata, error) -> {
                        if (error == null) {
                            (metadata.partition() == 0 ? acknowledged : acknowledgedOther).put(metadata.offset(), value);
                        }
                    });
                    if (index == 10_000) {
                        // Kill in the middle of the stream, with requests in flight, once acknowledgements flow
                        // (the sends only fill the producer's buffer; without the wait a fast client may kill first).
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> acknowledged.size() + acknowledgedOther.size() > 1000);
                        node.destroyForcibly();
                    }
                }
                producer.flush();
                producer.close(Duration.ofSeconds(10));
            }
        } finally {
            node.destroyForcibly();
            node.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acknowledged.size() + acknowledgedOther.size()).as("records acknowledged before the kill")
                .isGreaterThan(1000);

        Map<String, String> restart = new HashMap<>();
        restart.put("num.partitions", "2");
        try (FjordTestNode restarted = FjordTestNode.start(logDirectory, restart)) {
            assertStored(restarted, 0, acknowledged);
            assertStored(restarted, 1, acknowledgedOther);
        }
    }

    private static void assertStored(FjordTestNode node, int partition, Map<Long, String> acknowledged) {
        PartitionLog log = node.node().logManager().getLog(new TopicPartition("durable", partition)).orElseThrow();
        Map<Long, String> stored = new HashMap<>();
        for (RecordBatch batch : RecordBatches.of(log.readAllFrom(log.logStartOffset()))) {
            assertThat(batch.isCrcValid()).isTrue();
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                byte[] bytes = new byte[record.value().remaining()];
                record.value().duplicate().get(bytes);
                stored.put(record.offset(), new String(bytes, StandardCharsets.UTF_8));
            }
        }
        acknowledged.forEach((offset, value) ->
                assertThat(stored.get(offset)).as("acknowledged offset %d of partition %d", offset, partition)
                        .isEqualTo(value));
    }
}
