package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile request shapes of issue #10 sent to a real node: huge partition counts (answered POLICY_VIOLATION at
 * once, nothing created), poison batches (refused with Kafka's errors, nothing appended, so a real consumer reads
 * everything valid and ListOffsets by max timestamp works), and a client fetching as a replica (refused). After each,
 * the node keeps answering.
 */
class HostileRequestsIT {
    /** Liveness bound for one refusal on a busy machine; the work done is independent of the numbers asked for. */
    private static final int ANSWER_SECONDS = 30;

    @TempDir
    Path data;

    private FjordTestNode node;
    private RawClient raw;

    @BeforeEach
    void start() throws Exception {
        node = FjordTestNode.start(data, Map.of());
        raw = new RawClient(new InetSocketAddress("127.0.0.1", node.node().boundAddress("PLAINTEXT").getPort()));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void hugePartitionCountsAreRefusedAtOnceAndTheNodeKeepsAnswering() throws Exception {
        try (Admin admin = node.admin()) {
            for (int partitions : new int[] {1 << 28, 1 << 30, Integer.MAX_VALUE}) {
                for (boolean validateOnly : new boolean[] {true, false}) {
                    Throwable refused = catchThrowable(() -> admin.createTopics(List.of(new NewTopic("huge",
                            partitions, (short) 1)), new CreateTopicsOptions().validateOnly(validateOnly)).all()
                            .get(ANSWER_SECONDS, TimeUnit.SECONDS));
                    assertThat(refused).as("%d partitions, validate_only=%s", partitions, validateOnly)
                            .isInstanceOf(ExecutionException.class).cause()
                            .isInstanceOf(PolicyViolationException.class)
                            .hasMessage("Excessively large number of partitions per request.");
                }
            }
            admin.createTopics(List.of(new NewTopic("grow", 1, (short) 1))).all().get(ANSWER_SECONDS, TimeUnit.SECONDS);
            Throwable refused = catchThrowable(() -> admin.createPartitions(Map.of("grow",
                    NewPartitions.increaseTo(Integer.MAX_VALUE))).all().get(ANSWER_SECONDS, TimeUnit.SECONDS));
            assertThat(refused).cause().isInstanceOf(PolicyViolationException.class);
            assertThat(admin.listTopics().names().get(ANSWER_SECONDS, TimeUnit.SECONDS)).containsExactly("grow");
            assertThat(admin.describeTopics(List.of("grow")).allTopicNames().get(ANSWER_SECONDS, TimeUnit.SECONDS)
                    .get("grow").partitions()).hasSize(1);
        }
    }

    @Test
    void poisonBatchesAreRefusedAndAConsumerReadsEverythingValid() throws Exception {
        try (Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("poison", 1, (short) 1))).all()
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
        }
        assertThat(produce(PoisonBatches.valid(CompressionType.LZ4, 3)).errorCode()).isZero();

        ByteBuffer countLies = PoisonBatches.batch(CompressionType.LZ4, Integer.MAX_VALUE, Integer.MAX_VALUE - 1,
                PoisonBatches.compress(CompressionType.LZ4, PoisonBatches.records(3)));
        assertRefused(countLies, Errors.INVALID_RECORD);
        byte[] overrun = PoisonBatches.record(0, 0, new byte[] {'v'}, 1000);
        assertRefused(PoisonBatches.batch(CompressionType.ZSTD, 1, 0, PoisonBatches.compress(CompressionType.ZSTD,
                overrun)), Errors.INVALID_RECORD);
        assertRefused(PoisonBatches.batch(CompressionType.NONE, 1, 0, overrun), Errors.INVALID_RECORD);
        byte[] garbage = new byte[500];
        new Random(11L).nextBytes(garbage);
        for (CompressionType type : new CompressionType[] {CompressionType.GZIP, CompressionType.SNAPPY,
                CompressionType.LZ4, CompressionType.ZSTD}) {
            assertRefused(PoisonBatches.batch(type, 3, 2, garbage), Errors.CORRUPT_MESSAGE);
        }
        // A decompression bomb: a few kilobytes that decompress to 300 MiB, past the bound of 256 MiB.
        int zeros = 300 * 1024 * 1024;
        ByteBuffer bomb = PoisonBatches.batch(CompressionType.ZSTD, 1, 0, PoisonBatches.compress(CompressionType.ZSTD,
                PoisonBatches.bombRecordStart(zeros), zeros));
        assertThat(bomb.remaining()).isLessThan(1024 * 1024);
        assertRefused(bomb, Errors.MESSAGE_TOO_LARGE);
        // acks other than -1, 0 and 1: Kafka refuses the partition whatever its records.
        for (short acks : new short[] {2, -2, Short.MAX_VALUE}) {
            ProduceResponseData.PartitionProduceResponse refused =
                    produce("poison", PoisonBatches.valid(CompressionType.NONE, 1), acks);
            assertThat(Errors.forCode(refused.errorCode())).as("acks=%d", acks)
                    .isEqualTo(Errors.INVALID_REQUIRED_ACKS);
            assertThat(node.node().logManager().getLog(new io.fjord.storage.TopicPartition("poison", 0)).orElseThrow()
                    .logEndOffset()).isEqualTo(3);
        }

        assertThat(produce(PoisonBatches.valid(CompressionType.ZSTD, 2)).baseOffset()).isEqualTo(3);
        assertThat(produce(PoisonBatches.valid(CompressionType.NONE, 1)).baseOffset()).isEqualTo(5);

        try (KafkaConsumer<String, String> consumer = consumer()) {
            TopicPartition partition = new TopicPartition("poison", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
            while (read.size() < 6 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
            assertThat(read).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("value-0", "value-1", "value-2",
                    "value-0", "value-1", "value-0");
        }
        try (Admin admin = node.admin()) {
            ListOffsetsResult.ListOffsetsResultInfo newest = admin.listOffsets(Map.of(new TopicPartition("poison", 0),
                    OffsetSpec.maxTimestamp())).all().get(ANSWER_SECONDS, TimeUnit.SECONDS)
                    .get(new TopicPartition("poison", 0));
            // The first batch's last record has the largest timestamp (base + 20).
            assertThat(newest.timestamp()).isEqualTo(PoisonBatches.TIMESTAMP + 20);
            assertThat(newest.offset()).isEqualTo(2);
        }
    }

    @Test
    void aClientFetchingAsAReplicaIsRefused() throws Exception {
        try (Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("fetched", 1, (short) 1))).all()
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
        }
        assertThat(produce("fetched", PoisonBatches.valid(CompressionType.NONE, 3)).errorCode()).isZero();
        Uuid topicId;
        try (Admin admin = node.admin()) {
            topicId = admin.describeTopics(List.of("fetched")).allTopicNames().get(ANSWER_SECONDS, TimeUnit.SECONDS)
                    .get("fetched").topicId();
        }
        int nodeId = node.node().metadataCache().nodeId();
        for (short version : new short[] {11, 17}) {
            for (int replicaId : new int[] {nodeId, nodeId + 1, 1000}) {
                FetchResponseData.PartitionData data = fetch(topicId, version, replicaId);
                assertThat(Errors.forCode(data.errorCode())).as("replica %d at v%d", replicaId, version)
                        .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
                assertThat(FetchResponse.recordsSize(data)).isZero();
            }
            for (int replicaId : new int[] {-1, -2, -3}) {
                FetchResponseData.PartitionData data = fetch(topicId, version, replicaId);
                assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
                assertThat(data.highWatermark()).isEqualTo(3);
                assertThat(FetchResponse.recordsSize(data)).isPositive();
            }
        }
    }

    private FetchResponseData.PartitionData fetch(Uuid topicId, short version, int replicaId) throws Exception {
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(-1);
        if (version >= 15) {
            request.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId).setReplicaEpoch(-1));
        } else {
            request.setReplicaId(replicaId);
        }
        request.topics().add(new FetchRequestData.FetchTopic().setTopic("fetched").setTopicId(topicId)
                .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20).setLogStartOffset(-1).setCurrentLeaderEpoch(-1))));
        FetchResponse response = raw.send(new FetchRequest(request, version), ApiKeys.FETCH);
        return response.data().responses().get(0).partitions().get(0);
    }

    private void assertRefused(ByteBuffer batch, Errors expected) throws Exception {
        ProduceResponseData.PartitionProduceResponse response = produce(batch);
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(expected);
        assertThat(node.node().logManager().getLog(new io.fjord.storage.TopicPartition("poison", 0)).orElseThrow()
                .logEndOffset()).as("nothing of a refused batch is appended").isEqualTo(3);
    }

    private ProduceResponseData.PartitionProduceResponse produce(ByteBuffer batch) throws Exception {
        return produce("poison", batch);
    }

    private ProduceResponseData.PartitionProduceResponse produce(String topic, ByteBuffer batch) throws Exception {
        return produce(topic, batch, (short) -1);
    }

    private ProduceResponseData.PartitionProduceResponse produce(String topic, ByteBuffer batch, short acks)
            throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(PoisonBatches.records(batch)))));
        data.setTopicData(topics);
        short version = 9;
        ProduceResponse response = raw.send(new ProduceRequest.Builder(version, version, data).build(version),
                ApiKeys.PRODUCE);
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    private KafkaConsumer<String, String> consumer() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaConsumer<>(properties);
    }
}
