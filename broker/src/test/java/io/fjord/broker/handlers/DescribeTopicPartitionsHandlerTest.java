package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.DescribeTopicPartitionsRequestData;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescribeTopicPartitionsHandlerTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT", null, 0);

    @TempDir
    Path directory;

    private HandlerFixture fixture;

    @BeforeEach
    void topics() {
        fixture = new HandlerFixture(directory);
        fixture.broker(HandlerFixture.NODE_ID, false, "PLAINTEXT");
        fixture.topic("orders", 3);
        fixture.topic("alpha", 1);
        fixture.topic("beta", 2);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private DescribeTopicPartitionsResponseData send(DescribeTopicPartitionsRequestData request) throws Exception {
        return send(request, DescribeTopicPartitionsHandler.PARTITION_LIMIT_DEFAULT);
    }

    private DescribeTopicPartitionsResponseData send(DescribeTopicPartitionsRequestData request, int brokerLimit)
            throws Exception {
        DescribeTopicPartitionsHandler handler = new DescribeTopicPartitionsHandler(fixture.cache(), brokerLimit);
        return (DescribeTopicPartitionsResponseData) handler.handle(CONTEXT, new DecodedRequest(
                ApiKey.DESCRIBE_TOPIC_PARTITIONS, (short) 0, 1, "test", (short) 2, request, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static DescribeTopicPartitionsRequestData request(String... topics) {
        DescribeTopicPartitionsRequestData request = new DescribeTopicPartitionsRequestData();
        for (String topic : topics) {
            request.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(topic));
        }
        return request;
    }

    private static DescribeTopicPartitionsRequestData.Cursor cursor(String topic, int partition) {
        return new DescribeTopicPartitionsRequestData.Cursor().setTopicName(topic).setPartitionIndex(partition);
    }

    /** "topic-partition" of every partition in the response, in response order. */
    private static List<String> partitionsOf(DescribeTopicPartitionsResponseData response) {
        List<String> partitions = new ArrayList<>();
        for (DescribeTopicPartitionsResponseTopic topic : response.topics()) {
            topic.partitions().forEach(partition -> partitions.add(topic.name() + "-" + partition.partitionIndex()));
        }
        return partitions;
    }

    @Test
    void describesRequestedTopicsInNameOrderWithTheirPartitions() throws Exception {
        UUID ordersId = fixture.cache().image().topic("orders").orElseThrow().topicId();
        DescribeTopicPartitionsResponseData response = send(request("orders", "missing", "alpha", "bad/name",
                "orders"));

        assertThat(response.topics()).extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("alpha", "bad/name", "missing", "orders");
        assertThat(response.nextCursor()).isNull();
        DescribeTopicPartitionsResponseTopic orders = response.topics().get(3);
        assertThat(orders.errorCode()).isZero();
        assertThat(orders.topicId()).isEqualTo(ordersId);
        assertThat(orders.isInternal()).isFalse();
        assertThat(orders.topicAuthorizedOperations()).isEqualTo(DescribeTopicPartitionsHandler.TOPIC_OPERATIONS_ALLOWED);
        assertThat(orders.partitions()).extracting(DescribeTopicPartitionsResponsePartition::partitionIndex)
                .containsExactly(0, 1, 2);
        assertThat(orders.partitions()).allSatisfy(partition -> {
            assertThat(partition.errorCode()).isZero();
            assertThat(partition.leaderId()).isEqualTo(HandlerFixture.NODE_ID);
            assertThat(partition.leaderEpoch()).isEqualTo(HandlerFixture.LEADER_EPOCH);
            assertThat(partition.replicaNodes()).containsExactly(HandlerFixture.NODE_ID);
            assertThat(partition.isrNodes()).containsExactly(HandlerFixture.NODE_ID);
            // kafka-clients streams over both ELR lists: they must be empty, never null.
            assertThat(partition.eligibleLeaderReplicas()).isNotNull().isEmpty();
            assertThat(partition.lastKnownElr()).isNotNull().isEmpty();
            assertThat(partition.offlineReplicas()).isEmpty();
        });
        assertThat(response.topics().get(1).errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(response.topics().get(2).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(response.topics().get(2).topicId()).isEqualTo(new UUID(0, 0));
        assertThat(response.topics().get(2).partitions()).isEmpty();
    }

    @Test
    void anEmptyTopicListDescribesEveryTopicInternalOnesMarked() throws Exception {
        fixture.topic("__consumer_offsets", 1);
        DescribeTopicPartitionsResponseData response = send(request());

        assertThat(response.topics()).extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("__consumer_offsets", "alpha", "beta", "orders");
        assertThat(response.topics()).extracting(DescribeTopicPartitionsResponseTopic::isInternal)
                .containsExactly(true, false, false, false);
        assertThat(partitionsOf(response)).hasSize(7);
    }

    @Test
    void pagesFollowTheCursorUntilEveryPartitionWasSeenOnce() throws Exception {
        DescribeTopicPartitionsRequestData request = request().setResponsePartitionLimit(2);
        DescribeTopicPartitionsResponseData first = send(request);
        assertThat(partitionsOf(first)).containsExactly("alpha-0", "beta-0");
        assertThat(first.nextCursor().topicName()).isEqualTo("beta");
        assertThat(first.nextCursor().partitionIndex()).isEqualTo(1);

        List<String> seen = new ArrayList<>(partitionsOf(first));
        DescribeTopicPartitionsResponseData.Cursor next = first.nextCursor();
        int pages = 1;
        while (next != null) {
            DescribeTopicPartitionsResponseData page = send(request().setResponsePartitionLimit(2)
                    .setCursor(cursor(next.topicName(), next.partitionIndex())));
            assertThat(partitionsOf(page)).hasSizeLessThanOrEqualTo(2);
            seen.addAll(partitionsOf(page));
            next = page.nextCursor();
            pages++;
            assertThat(pages).as("pages").isLessThan(10);
        }
        assertThat(seen).containsExactly("alpha-0", "beta-0", "beta-1", "orders-0", "orders-1", "orders-2");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void aPageFilledExactlyByATopicPointsTheCursorAtTheNextTopic() throws Exception {
        DescribeTopicPartitionsResponseData response = send(request().setResponsePartitionLimit(3));

        assertThat(partitionsOf(response)).containsExactly("alpha-0", "beta-0", "beta-1");
        assertThat(response.nextCursor().topicName()).isEqualTo("orders");
        assertThat(response.nextCursor().partitionIndex()).isZero();
    }

    @Test
    void theCursorSkipsEarlierTopicsOfAListAndStartsItsTopicAtItsPartition() throws Exception {
        DescribeTopicPartitionsResponseData response = send(request("alpha", "orders", "beta")
                .setCursor(cursor("beta", 1)));

        assertThat(partitionsOf(response)).containsExactly("beta-1", "orders-0", "orders-1", "orders-2");
        assertThat(response.nextCursor()).isNull();
    }

    @Test
    void aCursorPastTheEndOfItsTopicAnswersTheTopicWithoutPartitions() throws Exception {
        DescribeTopicPartitionsResponseData response = send(request("beta", "orders").setCursor(cursor("beta", 7)));

        assertThat(response.topics()).extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("beta", "orders");
        assertThat(response.topics().get(0).partitions()).isEmpty();
        assertThat(response.topics().get(1).partitions()).hasSize(3);
    }

    @Test
    void theBrokerLimitCapsTheRequestLimitAndAtLeastOnePartitionIsAnswered() throws Exception {
        assertThat(partitionsOf(send(request("orders"), 2))).containsExactly("orders-0", "orders-1");
        assertThat(partitionsOf(send(request("orders").setResponsePartitionLimit(0)))).containsExactly("orders-0");
        assertThat(send(request("orders").setResponsePartitionLimit(-5)).nextCursor().partitionIndex()).isEqualTo(1);
    }

    @Test
    void badCursorsAreInvalidRequestsForEveryTopicAskedFor() throws Exception {
        DescribeTopicPartitionsResponseData negative = send(request("orders", "alpha").setCursor(cursor("orders", -1)));
        assertThat(negative.topics()).hasSize(2).allSatisfy(topic -> {
            assertThat(topic.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(topic.partitions()).isEmpty();
        });

        DescribeTopicPartitionsResponseData notInList = send(request("orders").setCursor(cursor("beta", 0)));
        assertThat(notInList.topics()).singleElement()
                .satisfies(topic -> assertThat(topic.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code()));
        assertThat(notInList.nextCursor()).isNull();
    }

    @Test
    void leadersThatCannotBeReachedAreErrorsAndUnreachableReplicasOffline() throws Exception {
        fixture.broker(2, true, "PLAINTEXT");
        fixture.broker(3, false, "INTERNAL");
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(1, 2, 4), List.of(1), 4, 7, 0)); // leader 4 not registered
        partitions.put(1, new PartitionImage(1, List.of(3, 1), List.of(3, 1), 3, 7, 0)); // leader 3 lacks PLAINTEXT
        partitions.put(2, new PartitionImage(2, List.of(1, 2), List.of(1, 2), 1, 7, 0));
        fixture.topicImage(new TopicImage("spread", UUID.randomUUID(), partitions));

        List<DescribeTopicPartitionsResponsePartition> described = send(request("spread")).topics().get(0)
                .partitions();

        assertThat(described.get(0).errorCode()).isEqualTo(Errors.LEADER_NOT_AVAILABLE.code());
        assertThat(described.get(0).leaderId()).isEqualTo(-1);
        assertThat(described.get(0).leaderEpoch()).isEqualTo(7);
        assertThat(described.get(0).offlineReplicas()).containsExactly(2, 4);
        assertThat(described.get(1).errorCode()).isEqualTo(Errors.LISTENER_NOT_FOUND.code());
        assertThat(described.get(1).leaderId()).isEqualTo(-1);
        assertThat(described.get(1).offlineReplicas()).containsExactly(3);
        assertThat(described.get(2).errorCode()).isZero();
        assertThat(described.get(2).leaderId()).isEqualTo(1);
        assertThat(described.get(2).replicaNodes()).containsExactly(1, 2);
        assertThat(described.get(2).offlineReplicas()).containsExactly(2);
    }

    @Test
    void eligibleLeaderReplicasAndTheLastKnownLeaderAreDescribed() throws Exception {
        // KIP-966: a partition whose ISR emptied, with ELR [2, 3] and last known leader 1.
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(1, 2, 3), List.of(), -1, 5, 9, List.of(), List.of(),
                (byte) 0, List.of(2, 3), List.of(1)));
        fixture.topicImage(new TopicImage("eligible", UUID.randomUUID(), partitions));

        DescribeTopicPartitionsResponsePartition described = send(request("eligible")).topics().get(0).partitions()
                .get(0);

        assertThat(described.isrNodes()).isEmpty();
        assertThat(described.eligibleLeaderReplicas()).containsExactly(2, 3);
        assertThat(described.lastKnownElr()).containsExactly(1);
    }

    @Test
    void authorizedOperationsAreEveryTopicOperationAsKafkaWithoutAnAuthorizer() {
        EnumSet<AclOperation> operations = EnumSet.noneOf(AclOperation.class);
        for (AclOperation operation : AclOperation.values()) {
            if ((DescribeTopicPartitionsHandler.TOPIC_OPERATIONS_ALLOWED & (1 << operation.code())) != 0) {
                operations.add(operation);
            }
        }
        assertThat(operations).containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
                AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
                AclOperation.ALTER_CONFIGS);
    }

    @Test
    void everyAdvertisedVersionEncodes() throws Exception {
        fixture.topic("missing-leader", 1, 9);
        for (short version = KafkaApiVersions.oldest(ApiKey.DESCRIBE_TOPIC_PARTITIONS);
             version <= KafkaApiVersions.latest(ApiKey.DESCRIBE_TOPIC_PARTITIONS); version++) {
            for (DescribeTopicPartitionsRequestData request : List.of(request(), request("orders", "nope", "bad/x"),
                    request().setResponsePartitionLimit(1), request("alpha").setCursor(cursor("alpha", -1)))) {
                DescribeTopicPartitionsResponseData response = send(request);
                assertThat(ResponseEncoder.encode(ApiKey.DESCRIBE_TOPIC_PARTITIONS, version, 1, response)
                        .sizeBytes()).as("version %d", version).isPositive();
            }
        }
    }
}
