package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.broker.coordinator.driver.LogPartitionWriter;
import io.fjord.broker.coordinator.driver.OffsetsTopicConfig;
import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorConfig;
import io.fjord.broker.coordinator.transactiondriver.TransactionCoordinatorDriver;
import io.fjord.broker.coordinator.transactiondriver.TransactionStateTopicConfig;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.FindCoordinatorRequestData;
import io.fjord.protocol.message.FindCoordinatorResponseData;
import io.fjord.protocol.records.CompressionType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FindCoordinator: a group's coordinator is the leader of its offsets partition, on the request's listener; v0-3 answer
 * one key at the top, v4+ a list; the offsets topic is created when missing; a transactional id's coordinator leads
 * its {@code __transaction_state} partition (created when missing); without a transaction coordinator transaction
 * keys are refused as unsupported (not retriable), share keys have no coordinator here, unknown key types are invalid.
 */
class FindCoordinatorHandlerTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "INTERNAL",
            new InetSocketAddress("127.0.0.1", 40_000), 0);

    @TempDir
    Path directory;

    private HandlerFixture fixture;
    private final List<CreateTopicsRequestData> creations = new ArrayList<>();
    private final GroupCoordinatorDriver driver = new GroupCoordinatorDriver(GroupCoordinatorConfig.defaults(),
            new OffsetsTopicConfig(4, (short) 3, 1024 * 1024, CompressionType.NONE, 1024,
                    OffsetsTopicConfig.COMMIT_TIMEOUT_MS_DEFAULT), TopicIdResolver.NONE,
            partition -> Optional.empty(), new LogPartitionWriter(partition -> Optional.empty()),
            InstantSource.system());

    @AfterEach
    void tearDown() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private FindCoordinatorHandler handler() {
        return new FindCoordinatorHandler(fixture.cache(), driver, request -> {
            creations.add(request);
            return CompletableFuture.completedFuture(null);
        });
    }

    private FindCoordinatorResponseData find(int version, FindCoordinatorRequestData request) throws Exception {
        return (FindCoordinatorResponseData) handler().handle(CONTEXT, new DecodedRequest(ApiKey.FIND_COORDINATOR,
                (short) version, 1, "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Offsets partitions alternately led by nodes 1 and 2. */
    private void offsetsTopicLedByTwoBrokers() {
        fixture = new HandlerFixture(directory);
        fixture.broker(1, false, "PLAINTEXT", "INTERNAL");
        fixture.broker(2, false, "PLAINTEXT", "INTERNAL");
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition = 0; partition < 4; partition++) {
            int leader = partition % 2 == 0 ? 1 : 2;
            partitions.put(partition, new PartitionImage(partition, List.of(leader), List.of(leader), leader, 0, 0));
        }
        fixture.topicImage(new TopicImage(OffsetsPartitions.TOPIC, UUID.randomUUID(), partitions));
    }

    /** A group id whose offsets partition (of 4) is {@code partition}. */
    private static String groupOn(int partition) {
        for (int index = 0; ; index++) {
            if (OffsetsPartitions.partitionFor("group-" + index, 4) == partition) {
                return "group-" + index;
            }
        }
    }

    @Test
    void aGroupsCoordinatorIsItsPartitionLeaderOnTheRequestsListener() throws Exception {
        offsetsTopicLedByTwoBrokers();
        FindCoordinatorResponseData batched = find(6, new FindCoordinatorRequestData()
                .setCoordinatorKeys(new ArrayList<>(List.of(groupOn(0), groupOn(1)))));
        assertThat(batched.coordinators()).hasSize(2);
        assertThat(batched.coordinators().get(0).key()).isEqualTo(groupOn(0));
        assertThat(batched.coordinators().get(0).nodeId()).isEqualTo(1);
        assertThat(batched.coordinators().get(0).port()).isEqualTo(9093);
        assertThat(batched.coordinators().get(1).nodeId()).isEqualTo(2);
        assertThat(batched.coordinators().get(1).errorCode()).isZero();
        assertThat(creations).isEmpty();

        FindCoordinatorResponseData single = find(0, new FindCoordinatorRequestData().setKey(groupOn(1)));
        assertThat(single.errorCode()).isZero();
        assertThat(single.nodeId()).isEqualTo(2);
        assertThat(single.host()).isEqualTo("localhost");
        assertThat(single.coordinators()).isEmpty();
    }

    @Test
    void transactionKeysAreUnsupportedShareKeysHaveNoCoordinatorAndUnknownKeyTypesAreInvalid() throws Exception {
        offsetsTopicLedByTwoBrokers();
        // Not retriable, so a transactional producer fails at once with the message instead of at max.block.ms.
        FindCoordinatorResponseData transaction = find(3, new FindCoordinatorRequestData().setKey("txn")
                .setKeyType((byte) 1));
        assertThat(transaction.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(transaction.errorMessage()).contains("does not support transactions");
        assertThat(transaction.nodeId()).isEqualTo(-1);
        FindCoordinatorResponseData batched = find(6, new FindCoordinatorRequestData().setKeyType((byte) 1)
                .setCoordinatorKeys(new ArrayList<>(List.of("txn-a", "txn-b"))));
        assertThat(batched.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::errorCode)
                .containsExactly(Errors.UNSUPPORTED_VERSION.code(), Errors.UNSUPPORTED_VERSION.code());
        assertThat(batched.coordinators().get(1).errorMessage())
                .isEqualTo(FindCoordinatorHandler.NO_TRANSACTIONS_MESSAGE);
        FindCoordinatorResponseData share = find(6, new FindCoordinatorRequestData().setKeyType((byte) 2)
                .setCoordinatorKeys(new ArrayList<>(List.of("share:topic:0"))));
        assertThat(share.coordinators().get(0).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        FindCoordinatorResponseData unknown = find(6, new FindCoordinatorRequestData().setKeyType((byte) 9)
                .setCoordinatorKeys(new ArrayList<>(List.of("x"))));
        assertThat(unknown.coordinators().get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(creations).isEmpty();
    }

    @Test
    void theFirstGroupLookupCreatesTheOffsetsTopicWithKafkasSettings() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.broker(1, false, "INTERNAL");
        FindCoordinatorResponseData response = find(4, new FindCoordinatorRequestData()
                .setCoordinatorKeys(new ArrayList<>(List.of("payments"))));
        // The stub creation does not publish the topic, so the answer is still "not available".
        assertThat(response.coordinators().get(0).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(creations).hasSize(1);
        CreateTopicsRequestData.CreatableTopic topic = creations.get(0).topics().get(0);
        assertThat(topic.name()).isEqualTo("__consumer_offsets");
        assertThat(topic.numPartitions()).isEqualTo(4);
        // As configured (the fixture's broker default, 3), never capped: the controller refuses what it cannot
        // honour and the coordinator stays unavailable meanwhile, as in Kafka.
        assertThat(topic.replicationFactor()).isEqualTo((short) 3);
        assertThat(topic.configs()).extracting(config -> config.name() + "=" + config.value())
                .containsExactlyInAnyOrder("cleanup.policy=compact", "segment.bytes=1048576",
                        "compression.type=producer");
    }

    @Test
    void aTransactionalIdsCoordinatorLeadsItsTransactionStatePartitionWhichTheFirstLookupCreates() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.broker(1, false, "PLAINTEXT", "INTERNAL");
        fixture.broker(2, false, "PLAINTEXT", "INTERNAL");
        TransactionStateTopicConfig topicConfig = new TransactionStateTopicConfig(5, (short) 3, 2, 1024 * 1024,
                1024, 30_000);
        TransactionCoordinatorDriver transactions = new TransactionCoordinatorDriver(
                TransactionCoordinatorConfig.defaults(), topicConfig, () -> 1L,
                () -> fixture.cache().image().topic(TransactionStateTopicConfig.TOPIC)
                        .map(TopicImage::partitionCount).orElse(0),
                () -> 4, () -> (short) 0, partition -> Optional.empty(),
                new LogPartitionWriter(partition -> Optional.empty()), InstantSource.system());
        FindCoordinatorResponseData missing = (FindCoordinatorResponseData) transactionHandler(transactions)
                .handle(CONTEXT,
                new DecodedRequest(ApiKey.FIND_COORDINATOR, (short) 6, 1, "test", (short) 2,
                        new FindCoordinatorRequestData().setKeyType((byte) 1)
                                .setCoordinatorKeys(new ArrayList<>(List.of("payments-tx"))), 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(missing.coordinators().get(0).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(creations).hasSize(1);
        CreateTopicsRequestData.CreatableTopic topic = creations.get(0).topics().get(0);
        assertThat(topic.name()).isEqualTo("__transaction_state");
        assertThat(topic.numPartitions()).isEqualTo(5);
        assertThat(topic.replicationFactor()).isEqualTo((short) 3);
        assertThat(topic.configs()).extracting(config -> config.name() + "=" + config.value())
                .containsExactlyInAnyOrder("cleanup.policy=compact", "segment.bytes=1048576",
                        "compression.type=uncompressed", "min.insync.replicas=2",
                        "unclean.leader.election.enable=false");

        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition = 0; partition < 5; partition++) {
            int leader = partition == 4 ? -1 : partition % 2 == 0 ? 1 : 2;
            partitions.put(partition, new PartitionImage(partition, List.of(1), List.of(1), leader, 0, 0));
        }
        fixture.topicImage(new TopicImage(TransactionStateTopicConfig.TOPIC, UUID.randomUUID(), partitions));
        List<String> ids = new ArrayList<>();
        for (int partition = 0; partition < 5; partition++) {
            ids.add(transactionalIdOn(partition));
        }
        // The fixture publishes a new cache: a handler made now reads it.
        FindCoordinatorResponseData found = (FindCoordinatorResponseData) transactionHandler(transactions)
                .handle(CONTEXT,
                new DecodedRequest(ApiKey.FIND_COORDINATOR, (short) 6, 1, "test", (short) 2,
                        new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(ids), 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(found.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::nodeId)
                .containsExactly(1, 2, 1, 2, -1);
        assertThat(found.coordinators().get(4).errorCode()).as("a partition without a leader")
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(creations).hasSize(1);
    }

    private FindCoordinatorHandler transactionHandler(TransactionCoordinatorDriver transactions) {
        return new FindCoordinatorHandler(fixture.cache(), driver, transactions, request -> {
            creations.add(request);
            return CompletableFuture.completedFuture(null);
        });
    }

    /** A transactional id on {@code partition} of 5, by Kafka's {@code Utils.abs(hashCode) % 5}. */
    private static String transactionalIdOn(int partition) {
        for (int index = 0; ; index++) {
            int hash = ("tx-" + index).hashCode();
            if ((hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % 5 == partition) {
                return "tx-" + index;
            }
        }
    }
}
