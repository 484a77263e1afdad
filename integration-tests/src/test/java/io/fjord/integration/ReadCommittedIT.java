package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.server.FjordNode;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified kafka-clients 4.4.0 consumer with {@code isolation.level=read_committed} against one Fjord node whose
 * partition holds transactions written straight into the log (no client can write one before the transaction
 * coordinator exists): it sees committed records only, no control record, stops at the last stable offset while a
 * transaction is open, and reads on once it ends; a read-uncommitted consumer sees every data record.
 */
class ReadCommittedIT {
    private static final long COMMITTED = 1_001;
    private static final long ABORTED = 1_002;
    private static final long OPEN = 1_003;

    @TempDir
    Path data;

    private static KafkaConsumer<String, String> consumer(FjordTestNode node, String isolationLevel) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        return new KafkaConsumer<>(properties);
    }

    /** Appends straight into the leader's log, as the produce and WriteTxnMarkers paths will, and wakes fetches. */
    private static final class Writer {
        private final FjordNode node;
        private final PartitionLog log;
        private final io.fjord.storage.TopicPartition topicPartition = new io.fjord.storage.TopicPartition("txn", 0);
        private final int leaderEpoch;
        private final Map<Long, Integer> sequences = new java.util.HashMap<>();

        Writer(FjordNode node) {
            this.node = node;
            this.log = await().atMost(Duration.ofSeconds(20))
                    .until(() -> node.logManager().getLog(topicPartition).orElse(null), found -> found != null);
            this.leaderEpoch = node.metadataCache().image().topic("txn").orElseThrow().partitions().get(0)
                    .leaderEpoch();
        }

        void send(long producerId, String value) {
            int sequence = sequences.merge(producerId, 1, Integer::sum) - 1;
            Record record = new Record(0, System.currentTimeMillis(), null,
                    ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)), List.of());
            BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME,
                    RecordBatch.NO_TIMESTAMP, producerId, (short) 0, sequence, producerId > 0, false,
                    RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP);
            log.appendAsLeader(RecordCodec.encode(spec, List.of(record)), leaderEpoch);
            replicated();
        }

        void end(long producerId, boolean commit) {
            log.appendTransactionMarkerAsLeader(producerId, (short) 0, new TransactionMarker(commit, 0), leaderEpoch);
            replicated();
        }

        private void replicated() {
            log.updateHighWatermark(log.logEndOffset()); // a single replica: every append is committed
            node.fetchHandler().onPartitionChanged(topicPartition);
        }
    }

    private static List<String> pollValues(KafkaConsumer<String, String> consumer, int count) {
        return pollValues(consumer, count, Duration.ofSeconds(30));
    }

    /** Polls until {@code count} values arrived or {@code within} passed. */
    private static List<String> pollValues(KafkaConsumer<String, String> consumer, int count, Duration within) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (values.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        return values;
    }

    @Test
    void readCommittedSkipsAbortedRecordsAndWaitsForOpenTransactions() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("txn", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            Writer writer = new Writer(node.node());
            writer.send(COMMITTED, "committed-1");   // 0
            writer.send(ABORTED, "aborted-1");       // 1
            writer.send(-1, "plain-1");              // 2
            writer.send(COMMITTED, "committed-2");   // 3
            writer.end(COMMITTED, true);             // 4
            writer.end(ABORTED, false);              // 5
            writer.send(OPEN, "open-1");             // 6: holds the last stable offset
            writer.send(-1, "plain-2");              // 7

            TopicPartition partition = new TopicPartition("txn", 0);
            try (KafkaConsumer<String, String> committed = consumer(node, "read_committed");
                 KafkaConsumer<String, String> uncommitted = consumer(node, "read_uncommitted")) {
                committed.assign(List.of(partition));
                committed.seekToBeginning(List.of(partition));
                uncommitted.assign(List.of(partition));
                uncommitted.seekToBeginning(List.of(partition));

                assertThat(committed.endOffsets(List.of(partition))).containsEntry(partition, 6L);
                assertThat(uncommitted.endOffsets(List.of(partition))).containsEntry(partition, 8L);
                assertThat(pollValues(uncommitted, 6)).containsExactly("committed-1", "aborted-1", "plain-1",
                        "committed-2", "open-1", "plain-2");
                assertThat(pollValues(committed, 3)).containsExactly("committed-1", "plain-1", "committed-2");
                assertThat(pollValues(committed, 1, Duration.ofSeconds(3))).as("nothing past the open transaction")
                        .isEmpty();
                assertThat(committed.position(partition)).isEqualTo(6L);

                writer.end(OPEN, true);                // 8
                assertThat(pollValues(committed, 2)).containsExactly("open-1", "plain-2");
                assertThat(committed.endOffsets(List.of(partition))).containsEntry(partition, 9L);
            }
        }
    }
}
