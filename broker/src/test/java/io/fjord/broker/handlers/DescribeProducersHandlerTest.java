package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.DescribeProducersRequestData;
import io.fjord.protocol.message.DescribeProducersResponseData;
import io.fjord.protocol.message.DescribeProducersResponseData.PartitionResponse;
import io.fjord.protocol.message.DescribeProducersResponseData.ProducerState;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescribeProducersHandlerTest {
    @TempDir
    Path directory;

    private HandlerFixture fixture;
    private DescribeProducersHandler handler;

    @BeforeEach
    void logs() {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 2);
        fixture.topic("elsewhere", 1, 2);
        handler = new DescribeProducersHandler(fixture.cache(), fixture::findLog);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static ByteBuffer idempotent(long producerId, short epoch, int baseSequence, long timestamp, int count) {
        return batch(producerId, epoch, baseSequence, timestamp, count, false);
    }

    private static ByteBuffer batch(long producerId, short epoch, int baseSequence, long timestamp, int count,
                                    boolean transactional) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            records.add(new Record(index, timestamp, null, ByteBuffer.wrap(("v" + index)
                    .getBytes(StandardCharsets.UTF_8)), List.of()));
        }
        return RecordCodec.encode(new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME,
                RecordBatch.NO_TIMESTAMP, producerId, epoch, baseSequence, transactional, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP), records);
    }

    private DescribeProducersResponseData send(DescribeProducersRequestData request) throws Exception {
        return (DescribeProducersResponseData) handler.handle(null, new DecodedRequest(ApiKey.DESCRIBE_PRODUCERS,
                (short) 0, 1, "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static DescribeProducersRequestData request(String topic, Integer... partitions) {
        return new DescribeProducersRequestData().setTopics(new ArrayList<>(List.of(
                new DescribeProducersRequestData.TopicRequest().setName(topic)
                        .setPartitionIndexes(new ArrayList<>(List.of(partitions))))));
    }

    @Test
    void describesEachProducerOfThePartitionInIdOrder() throws Exception {
        fixture.log("orders", 0).appendAsLeader(idempotent(42, (short) 3, 0, 1_000, 2), HandlerFixture.LEADER_EPOCH);
        fixture.log("orders", 0).appendAsLeader(idempotent(42, (short) 3, 2, 2_000, 3), HandlerFixture.LEADER_EPOCH);
        fixture.log("orders", 0).appendAsLeader(idempotent(7, (short) 0, 0, 1_500, 1), HandlerFixture.LEADER_EPOCH);
        fixture.append("orders", 0, 3_000, "plain"); // no producer id: not a producer the log remembers

        DescribeProducersResponseData response = send(request("orders", 0, 1));

        assertThat(response.topics()).singleElement().satisfies(topic -> assertThat(topic.name()).isEqualTo("orders"));
        List<PartitionResponse> partitions = response.topics().get(0).partitions();
        assertThat(partitions).extracting(PartitionResponse::partitionIndex).containsExactly(0, 1);
        assertThat(partitions).extracting(PartitionResponse::errorCode).containsOnly((short) 0);
        assertThat(partitions.get(0).activeProducers()).extracting(ProducerState::producerId).containsExactly(7L, 42L);
        ProducerState producer = partitions.get(0).activeProducers().get(1);
        assertThat(producer.producerEpoch()).isEqualTo(3);
        assertThat(producer.lastSequence()).isEqualTo(4);
        assertThat(producer.lastTimestamp()).isEqualTo(2_000);
        assertThat(producer.coordinatorEpoch()).isEqualTo(-1);
        assertThat(producer.currentTxnStartOffset()).isEqualTo(-1);
        assertThat(partitions.get(1).activeProducers()).isEmpty();
    }

    @Test
    void showsTheStartOfEachOpenTransactionAndTheLastMarkersCoordinatorEpoch() throws Exception {
        PartitionLog log = fixture.log("orders", 0);
        fixture.append("orders", 0, 1_000, "plain"); // offset 0
        log.appendAsLeader(batch(42, (short) 1, 0, 1_000, 2, true), HandlerFixture.LEADER_EPOCH); // offsets 1-2
        log.appendAsLeader(batch(42, (short) 1, 2, 1_000, 1, true), HandlerFixture.LEADER_EPOCH); // offset 3
        ProducerState open = send(request("orders", 0)).topics().get(0).partitions().get(0).activeProducers().get(0);
        assertThat(open.currentTxnStartOffset()).isEqualTo(1);
        assertThat(open.coordinatorEpoch()).isEqualTo(-1);

        log.appendTransactionMarkerAsLeader(42, (short) 1, new TransactionMarker(true, 9), HandlerFixture.LEADER_EPOCH);
        ProducerState ended = send(request("orders", 0)).topics().get(0).partitions().get(0).activeProducers().get(0);
        assertThat(ended.currentTxnStartOffset()).isEqualTo(-1);
        assertThat(ended.coordinatorEpoch()).isEqualTo(9);
        assertThat(ended.lastSequence()).isEqualTo(2);
    }

    @Test
    void unknownTopicsPartitionsAndLogsElsewhereAreKafkasErrors() throws Exception {
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(2), List.of(2), 2, 1, 0));
        fixture.topicImage(new TopicImage("remote", UUID.randomUUID(), partitions)); // no log on this node
        handler = new DescribeProducersHandler(fixture.cache(), fixture::findLog);
        DescribeProducersRequestData request = request("missing", 0, 1);
        request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("orders")
                .setPartitionIndexes(new ArrayList<>(List.of(5))));
        request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("remote")
                .setPartitionIndexes(new ArrayList<>(List.of(0))));
        request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("bad/name")
                .setPartitionIndexes(new ArrayList<>(List.of(0))));

        List<DescribeProducersResponseData.TopicResponse> topics = send(request).topics();

        assertThat(topics.get(0).partitions()).hasSize(2).allSatisfy(partition -> {
            assertThat(partition.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(partition.errorMessage()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
        });
        assertThat(topics.get(1).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(topics.get(2).partitions().get(0).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(topics.get(3).partitions().get(0).errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(topics.get(3).partitions().get(0).errorMessage()).contains("bad/name");
    }

    @Test
    void aFollowerHoldingTheLogAnswersAsKafkaDoes() throws Exception {
        // "elsewhere" is led by node 2 but its log is here: Kafka answers from any replica.
        PartitionResponse partition = send(request("elsewhere", 0)).topics().get(0).partitions().get(0);
        assertThat(partition.errorCode()).isZero();
        assertThat(partition.activeProducers()).isEmpty();
    }

    @Test
    void everyAdvertisedVersionEncodes() throws Exception {
        fixture.log("orders", 0).appendAsLeader(idempotent(42, (short) 3, 0, 1_000, 2), HandlerFixture.LEADER_EPOCH);
        for (short version = KafkaApiVersions.oldest(ApiKey.DESCRIBE_PRODUCERS);
             version <= KafkaApiVersions.latest(ApiKey.DESCRIBE_PRODUCERS); version++) {
            DescribeProducersRequestData request = request("orders", 0, 9);
            request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("missing")
                    .setPartitionIndexes(new ArrayList<>(List.of(0))));
            DescribeProducersResponseData response = send(request);
            assertThat(ResponseEncoder.encode(ApiKey.DESCRIBE_PRODUCERS, version, 1, response).sizeBytes())
                    .as("version %d", version).isPositive();
        }
    }
}
