package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DeleteRecords and DescribeLogDirs through the unmodified Admin client. */
class RecordsAdminIT {
    @TempDir
    Path data;

    @Test
    void deleteRecordsMovesTheLowWatermarkAndLogDirsReportSizes() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("num.partitions", "1"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()))) {
            Properties producerProperties = new Properties();
            producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties,
                    new StringSerializer(), new StringSerializer())) {
                for (int index = 0; index < 10; index++) {
                    producer.send(new ProducerRecord<>("trimmed", "v" + index)).get(20, TimeUnit.SECONDS);
                }
            }
            TopicPartition partition = new TopicPartition("trimmed", 0);
            long low = admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(4))).lowWatermarks()
                    .get(partition).get(20, TimeUnit.SECONDS).lowWatermark();
            assertThat(low).isEqualTo(4);
            assertThatThrownBy(() -> admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(50)))
                    .all().get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(OffsetOutOfRangeException.class);
            Properties consumerProperties = new Properties();
            consumerProperties.put("bootstrap.servers", node.bootstrapServers());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties,
                    new StringDeserializer(), new StringDeserializer())) {
                assertThat(consumer.beginningOffsets(List.of(partition)).get(partition)).isEqualTo(4L);
                assertThat(consumer.endOffsets(List.of(partition)).get(partition)).isEqualTo(10L);
            }
            Map<String, LogDirDescription> directories = admin.describeLogDirs(List.of(1)).allDescriptions()
                    .get(20, TimeUnit.SECONDS).get(1);
            assertThat(directories).containsOnlyKeys(data.toString());
            LogDirDescription description = directories.get(data.toString());
            assertThat(description.error()).isNull();
            assertThat(description.totalBytes()).isPresent();
            assertThat(description.replicaInfos().get(partition).size()).isGreaterThan(0);
            assertThat(description.replicaInfos().get(partition).offsetLag()).isZero();
        }
    }
}
