package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListOffsetsHandlerTest {
    @TempDir
    Path directory;

    private HandlerFixture fixture;
    private ListOffsetsHandler handler;
    /** Where this node's leader epoch of each partition began, as its Partition says; -1 when unknown. */
    private final Map<TopicPartition, Long> epochStarts = new ConcurrentHashMap<>();

    private long epochStart(TopicPartition topicPartition) {
        return epochStarts.getOrDefault(topicPartition, -1L);
    }

    @BeforeEach
    void logs() {
        fixture = new HandlerFixture(directory);
        fixture.topic("elsewhere", 1, 2);
        fixture.topic("empty", 1);
        fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b");   // offsets 0-1
        fixture.append("orders", 0, 3_000, "c");        // offset 2
        fixture.append("orders", 0, 2_000, "d", "e");   // offsets 3-4
        handler = new ListOffsetsHandler(fixture.cache(), fixture::findLog, this::epochStart, Runnable::run);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private ListOffsetsPartitionResponse list(String topic, long timestamp) throws Exception {
        return list(topic, timestamp, -1, (byte) 0);
    }

    private ListOffsetsPartitionResponse list(String topic, long timestamp, int currentLeaderEpoch,
            byte isolationLevel) throws Exception {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1)
                .setIsolationLevel(isolationLevel);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(
                new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(timestamp).setCurrentLeaderEpoch(currentLeaderEpoch)))));
        ListOffsetsResponseData response = send(request);
        assertThat(response.topics()).singleElement().satisfies(answer -> assertThat(answer.name()).isEqualTo(topic));
        return response.topics().get(0).partitions().get(0);
    }

    private ListOffsetsResponseData send(ListOffsetsRequestData request) throws Exception {
        return send(request, (short) 11);
    }

    private ListOffsetsResponseData send(ListOffsetsRequestData request, short version) throws Exception {
        return (ListOffsetsResponseData) handler.handle(null, new DecodedRequest(ApiKey.LIST_OFFSETS, version, 1,
                "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Older clients (librdkafka asks for v2) must get a response Kafka's writer accepts at their version. */
    @org.junit.jupiter.api.Test
    void everyAdvertisedVersionEncodes() throws Exception {
        for (short version = io.fjord.protocol.codec.KafkaApiVersions.oldest(ApiKey.LIST_OFFSETS);
             version <= io.fjord.protocol.codec.KafkaApiVersions.latest(ApiKey.LIST_OFFSETS); version++) {
            ListOffsetsRequestData request = new ListOffsetsRequestData().setTopics(java.util.List.of(
                    new ListOffsetsRequestData.ListOffsetsTopic().setName("orders").setPartitions(
                            java.util.List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                    .setTimestamp(-1)))));
            ListOffsetsResponseData response = send(request, version);
            io.fjord.protocol.codec.ResponseEncoder.encode(ApiKey.LIST_OFFSETS, version, 1, response);
            assertThat(response.topics().get(0).partitions().get(0).errorCode()).as("version %d", version).isZero();
        }
    }

    private static void assertFound(ListOffsetsPartitionResponse answer, long timestamp, long offset, int epoch) {
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.timestamp()).as("timestamp").isEqualTo(timestamp);
        assertThat(answer.offset()).as("offset").isEqualTo(offset);
        assertThat(answer.leaderEpoch()).as("leader epoch").isEqualTo(epoch);
    }

    @Test
    void answersEverySpecialTimestamp() throws Exception {
        int epoch = HandlerFixture.LEADER_EPOCH;
        assertFound(list("orders", ListOffsetsHandler.EARLIEST_TIMESTAMP), -1, 0, epoch);
        assertFound(list("orders", ListOffsetsHandler.EARLIEST_LOCAL_TIMESTAMP), -1, 0, epoch);
        assertFound(list("orders", ListOffsetsHandler.LATEST_TIMESTAMP), -1, 5, epoch);
        assertFound(list("orders", ListOffsetsHandler.LATEST_TIMESTAMP, -1, PartitionReader.READ_COMMITTED), -1, 5,
                epoch);
        assertFound(list("orders", ListOffsetsHandler.MAX_TIMESTAMP), 3_000, 2, epoch);
        assertFound(list("orders", ListOffsetsHandler.LATEST_TIERED_TIMESTAMP), -1, -1, -1);
        assertFound(list("orders", ListOffsetsHandler.EARLIEST_PENDING_UPLOAD_TIMESTAMP), -1, -1, -1);
    }

    @Test
    void anEmptyLogAnswersItsStartAndEndAndNoMaximum() throws Exception {
        int epoch = HandlerFixture.LEADER_EPOCH;
        assertFound(list("empty", ListOffsetsHandler.EARLIEST_TIMESTAMP), -1, 0, epoch);
        assertFound(list("empty", ListOffsetsHandler.LATEST_TIMESTAMP), -1, 0, epoch);
        assertFound(list("empty", ListOffsetsHandler.MAX_TIMESTAMP), -1, -1, -1);
        assertFound(list("empty", 1_000), -1, -1, -1);
    }

    @Test
    void findsTheFirstRecordAtOrAfterATimestamp() throws Exception {
        int epoch = HandlerFixture.LEADER_EPOCH;
        assertFound(list("orders", 0), 1_000, 0, epoch);
        assertFound(list("orders", 1_000), 1_000, 0, epoch);
        assertFound(list("orders", 1_500), 3_000, 2, epoch);
        assertFound(list("orders", 3_000), 3_000, 2, epoch);
        assertFound(list("orders", 3_001), -1, -1, -1);
    }

    @Test
    void recordsAboveTheHighWatermarkStayHidden() throws Exception {
        fixture.log("orders", 0).appendAsLeader(HandlerFixture.batch(9_000, "unreplicated"), 5);
        assertFound(list("orders", ListOffsetsHandler.LATEST_TIMESTAMP), -1, 5, HandlerFixture.LEADER_EPOCH);
        assertFound(list("orders", 9_000), -1, -1, -1);
        assertFound(list("orders", ListOffsetsHandler.MAX_TIMESTAMP), -1, -1, -1);
    }

    @Test
    void theEarliestOffsetFollowsTheLogStartOffset() throws Exception {
        assertThat(fixture.log("orders", 0).maybeAdvanceLogStartOffset(3)).isTrue();
        assertFound(list("orders", ListOffsetsHandler.EARLIEST_TIMESTAMP), -1, 3, HandlerFixture.LEADER_EPOCH);
        assertFound(list("orders", 0), 2_000, 3, HandlerFixture.LEADER_EPOCH);
    }

    @Test
    void answersErrorsForUnknownPartitionsLeadershipAndEpochs() throws Exception {
        assertThat(list("missing", -1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(list("", -1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(list("elsewhere", -1).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        ListOffsetsPartitionResponse fenced = list("orders", -1, HandlerFixture.LEADER_EPOCH - 1, (byte) 0);
        assertThat(fenced.errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(fenced.offset()).isEqualTo(-1);
        assertThat(list("orders", -1, HandlerFixture.LEADER_EPOCH + 1, (byte) 0).errorCode())
                .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
        assertFound(list("orders", -1, HandlerFixture.LEADER_EPOCH, (byte) 0), -1, 5, HandlerFixture.LEADER_EPOCH);
    }

    @Test
    void aNewLeaderWhoseHighWatermarkLagsItsEpochStartAnswersOffsetNotAvailableToConsumers() throws Exception {
        fixture.topic("elected", 1);
        handler = new ListOffsetsHandler(fixture.cache(), fixture::findLog, this::epochStart, Runnable::run);
        PartitionLog log = fixture.log("elected", 0);
        // Written by leaders of epochs 1 and 3; this node leads epoch 5 and has not learnt the high watermark yet.
        log.appendAsLeader(HandlerFixture.batch(1_000, "a", "b"), 1);
        log.appendAsLeader(HandlerFixture.batch(2_000, "c", "d", "e"), 3);
        log.updateHighWatermark(3);
        epochStarts.put(new TopicPartition("elected", 0), 5L);

        assertThat(list("elected", -1).errorCode()).isEqualTo(Errors.OFFSET_NOT_AVAILABLE.code());
        assertThat(list("elected", 2_500).errorCode()).as("found only above the high watermark")
                .isEqualTo(Errors.OFFSET_NOT_AVAILABLE.code());
        assertThat(list("elected", 1_000).offset()).as("found below it").isZero();
        assertThat(list("elected", -2).offset()).isZero();
        assertThat(listAs(-2, "elected", -1).offset()).as("Kafka's debugging replica id is not a client").isEqualTo(3);

        log.updateHighWatermark(5);
        assertThat(list("elected", -1).offset()).isEqualTo(5);
        log.appendAsLeader(HandlerFixture.batch(3_000, "f"), HandlerFixture.LEADER_EPOCH);
        ListOffsetsPartitionResponse latest = list("elected", -1);
        assertThat(latest.errorCode()).as("epoch 5 starts at 5, which the high watermark reached").isZero();
        assertThat(latest.offset()).isEqualTo(5);
        assertThat(latest.leaderEpoch()).isEqualTo(HandlerFixture.LEADER_EPOCH);
    }

    private ListOffsetsPartitionResponse listAs(int replicaId, String topic, long timestamp) throws Exception {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(replicaId);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(
                new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(timestamp)))));
        return send(request).topics().get(0).partitions().get(0);
    }

    @Test
    void aPartitionNamedTwiceIsAnInvalidRequestEachTime() throws Exception {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        for (int copy = 0; copy < 2; copy++) {
            request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("orders").setPartitions(
                    new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                            .setTimestamp(-1)))));
        }
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("empty").setPartitions(
                new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(-1)))));
        ListOffsetsResponseData response = send(request);
        assertThat(response.topics()).extracting(topic -> topic.partitions().get(0).errorCode()).containsExactly(
                Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code(), Errors.NONE.code());
    }

    /**
     * A gzip batch whose compressed payload is garbage under a valid CRC: storage checks only the frame of compressed
     * batches, as batches written before produce validated every record were stored.
     */
    private void appendUndecodableBatch(String topic) {
        List<io.fjord.protocol.records.Record> records = List.of(new io.fjord.protocol.records.Record(0, 5_000, null,
                java.nio.ByteBuffer.wrap(new byte[64]), List.of()));
        java.nio.ByteBuffer batch = io.fjord.protocol.codec.RecordCodec.encode(io.fjord.protocol.records.BatchSpec
                .plain(0, io.fjord.protocol.records.CompressionType.GZIP), records);
        for (int index = io.fjord.protocol.records.RecordBatch.RECORDS_OFFSET; index < batch.limit(); index++) {
            batch.put(index, (byte) 0x42);
        }
        io.fjord.protocol.records.RecordBatch.at(batch).writeCrc();
        io.fjord.storage.PartitionLog log = fixture.log(topic, 0);
        log.appendAsLeader(batch, HandlerFixture.LEADER_EPOCH);
        log.updateHighWatermark(log.logEndOffset());
    }

    @Test
    void aStoredBatchThatCannotBeDecodedAnswersThePartitionWithAnErrorNotAFailedRequest() throws Exception {
        fixture.topic("damaged", 1);
        // A new handler sees the new topic.
        handler = new ListOffsetsHandler(fixture.cache(), fixture::findLog, this::epochStart, Runnable::run);
        appendUndecodableBatch("damaged");
        assertThat(list("damaged", 1_000).errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(list("damaged", ListOffsetsHandler.MAX_TIMESTAMP).errorCode())
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(list("damaged", ListOffsetsHandler.LATEST_TIMESTAMP).errorCode()).isEqualTo(Errors.NONE.code());
    }
}
