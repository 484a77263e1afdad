package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified kafka-clients 4.4.0 producer (idempotent, acks=all by default) against one Fjord node. */
class ProducerIT {
    @TempDir
    Path data;

    private static KafkaProducer<String, byte[]> producer(FjordTestNode node, String compression) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<Record> records(PartitionLog log) {
        List<Record> records = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(log.readAllFrom(log.logStartOffset()))) {
            assertThat(batch.isCrcValid()).isTrue();
            records.addAll(RecordCodec.decode(batch, Long.MAX_VALUE));
        }
        return records;
    }

    private static String text(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void producesWithEveryCodecKeysHeadersTimestampsAndLargeRecordsInOrder() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("events", 1, (short) 1),
                        new NewTopic("keyed", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                        new NewTopic("small", 1, (short) 1).configs(Map.of("max.message.bytes", "1000"))))
                        .all().get(20, TimeUnit.SECONDS);
            }
            List<String> expected = new ArrayList<>();
            for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
                try (KafkaProducer<String, byte[]> producer = producer(node, codec)) {
                    List<Future<RecordMetadata>> sent = new ArrayList<>();
                    for (int index = 0; index < 200; index++) {
                        String value = codec + "-" + index;
                        expected.add(value);
                        ProducerRecord<String, byte[]> record = new ProducerRecord<>("events", null,
                                1_700_000_000_000L + index, "key-" + index, value.getBytes(StandardCharsets.UTF_8),
                                List.of(new RecordHeader("codec", codec.getBytes(StandardCharsets.UTF_8))));
                        sent.add(producer.send(record));
                    }
                    long previous = -1;
                    for (Future<RecordMetadata> future : sent) {
                        RecordMetadata metadata = future.get(30, TimeUnit.SECONDS);
                        assertThat(metadata.offset()).isGreaterThan(previous);
                        previous = metadata.offset();
                    }
                }
            }
            byte[] large = new byte[900 * 1024];
            java.util.Arrays.fill(large, (byte) 'x');
            try (KafkaProducer<String, byte[]> producer = producer(node, "none")) {
                assertThat(producer.send(new ProducerRecord<>("events", "large", large)).get(30, TimeUnit.SECONDS)
                        .offset()).isEqualTo(1000);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("small", "k", new byte[5000]))
                        .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(RecordTooLargeException.class);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("keyed", null, new byte[3]))
                        .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidRecordException.class);
                assertThat(producer.send(new ProducerRecord<>("keyed", "k", new byte[3])).get(30, TimeUnit.SECONDS)
                        .offset()).isZero();
            }
            PartitionLog log = node.node().logManager().getLog(new TopicPartition("events", 0)).orElseThrow();
            List<Record> stored = records(log);
            assertThat(stored).hasSize(1001);
            assertThat(stored.subList(0, 1000)).extracting(record -> text(record.value())).containsExactlyElementsOf(expected);
            assertThat(stored.get(7).timestamp()).isEqualTo(1_700_000_000_007L);
            assertThat(text(stored.get(7).key())).isEqualTo("key-7");
            assertThat(stored.get(250).headers()).singleElement().satisfies(header -> {
                assertThat(header.key()).isEqualTo("codec");
                assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo("gzip");
            });
            assertThat(stored.get(1000).value().remaining()).isEqualTo(900 * 1024);
            // Every batch came from an idempotent producer: producer ids are set.
            assertThat(RecordBatches.of(log.readAllFrom(0)).iterator().next().producerId()).isGreaterThanOrEqualTo(0);
        }
    }
}
