package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.markers.ImagePartitionLeaders;
import io.fjord.broker.coordinator.markers.MarkerChannelConfig;
import io.fjord.broker.coordinator.markers.NetworkTransactionMarkerChannel;
import io.fjord.broker.coordinator.markers.PartitionLeaders;
import io.fjord.broker.coordinator.markers.TransactionMarkerChannel;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.replica.InterBrokerAddresses;
import io.fjord.broker.replica.NetworkLeaderEndpoints;
import io.fjord.metadata.image.PartitionImage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction marker channel on a 3-node cluster: transactions opened with raw transactional Produce requests
 * (acks=all, RF 3) are ended by markers the channel sends to each partition's leader over the inter-broker
 * listener, and unmodified kafka-clients 4.4.0 {@code read_committed} consumers see the commits and not the aborts.
 * Then the first attempt of a marker goes to the wrong broker (a follower, as with a leader that moved since the
 * image was read; and a stopped former leader) and the channel's retry finds the current leader: the marker still
 * lands.
 */
class TransactionMarkerChannelIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String TOPIC = "transfers";
    private static final int COORDINATOR_EPOCH = 1;

    @TempDir
    Path data;

    private final List<String> outcomes = new CopyOnWriteArrayList<>();
    private final TransactionMarkerChannel.Outcomes recording = new TransactionMarkerChannel.Outcomes() {
        @Override
        public void markerWritten(TransactionMarkers markers, TransactionPartition partition) {
            outcomes.add("written " + markers.producerId() + " " + partition.topic() + "-" + partition.partition());
        }

        @Override
        public void markersAbandoned(TransactionMarkers markers, io.fjord.protocol.Errors error) {
            outcomes.add("abandoned " + markers.producerId() + " " + error);
        }
    };

    @Test
    void markersReachEachPartitionsLeaderAlsoAfterTheLeaderMovesOrStops() throws Exception {
        // The test plays the transaction coordinator itself, so no coordinator knows of its transactional produces
        // (KIP-890): verification is off, as Kafka allows.
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3,
                Map.of("transaction.partition.verification.enable", "false"))) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
                awaitFullIsr(admin);
            }
            int leaderOfZero = leaderOf(cluster, 1, 0);
            int leaderOfOne = leaderOf(cluster, 1, 1);
            // The channel runs on a node that stays up; the stale answers make its first attempts miss.
            int channelNode = cluster.running().stream().filter(id -> id != leaderOfZero).findFirst().orElseThrow();
            MetadataCache cache = cluster.node(channelNode).metadataCache();
            StaleFirstLeaders leaders = new StaleFirstLeaders(new ImagePartitionLeaders(cache,
                    new InterBrokerAddresses(cache, "PLAINTEXT")));
            try (NetworkTransactionMarkerChannel channel = channel(cache, leaders)) {
                channel.start(recording);

                // 1. One commit and one abort across both partitions, each partition's marker to its leader.
                long committing = initProducerId(cluster, leaderOfZero);
                long aborting = initProducerId(cluster, leaderOfZero);
                produce(cluster, leaderOfZero, 0, committing, 0, "c-0");
                produce(cluster, leaderOfOne, 1, committing, 0, "c-1");
                produce(cluster, leaderOfZero, 0, aborting, 0, "a-0");
                produce(cluster, leaderOfOne, 1, aborting, 0, "a-1");
                channel.send(markers(committing, true, 0, 1));
                channel.send(markers(aborting, false, 0, 1));
                await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes).containsExactlyInAnyOrder(
                        "written " + committing + " transfers-0", "written " + committing + " transfers-1",
                        "written " + aborting + " transfers-0", "written " + aborting + " transfers-1"));
                assertThat(readCommitted(cluster.bootstrapServers(channelNode), 2)).containsExactlyInAnyOrder(
                        "c-0", "c-1");
                outcomes.clear();

                // 2. The first attempt goes to a follower (a leader that moved): NOT_LEADER_OR_FOLLOWER, retried.
                int followerOfOne = cluster.running().stream().filter(id -> id != leaderOfOne).findFirst()
                        .orElseThrow();
                long moved = initProducerId(cluster, leaderOfOne);
                produce(cluster, leaderOfOne, 1, moved, 0, "m-1");
                leaders.staleOnce(new TransactionPartition(TOPIC, 1), followerOfOne);
                channel.send(markers(moved, true, 1));
                await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes)
                        .containsExactly("written " + moved + " transfers-1"));
                assertThat(leaders.lookups(new TransactionPartition(TOPIC, 1))).as("tried again")
                        .isGreaterThanOrEqualTo(2);
                outcomes.clear();

                // 3. The leader stops with the transaction open; the first attempt still goes to it and fails.
                long stranded = initProducerId(cluster, leaderOfZero);
                produce(cluster, leaderOfZero, 0, stranded, 0, "s-0");
                cluster.stop(leaderOfZero);
                leaders.staleOnce(new TransactionPartition(TOPIC, 0), leaderOfZero);
                channel.send(markers(stranded, true, 0));
                await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes)
                        .containsExactly("written " + stranded + " transfers-0"));
                assertThat(leaderOf(cluster, channelNode, 0)).isNotEqualTo(leaderOfZero);
                assertThat(readCommitted(cluster.bootstrapServers(channelNode), 4))
                        .as("the new leader took the commit marker").containsExactlyInAnyOrder("c-0", "c-1", "m-1",
                                "s-0");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static NetworkTransactionMarkerChannel channel(MetadataCache cache, PartitionLeaders leaders) {
        MarkerChannelConfig config = MarkerChannelConfig.withDefaults();
        NetworkLeaderEndpoints endpoints = new NetworkLeaderEndpoints("it-txn-marker-network", "it-txn-marker-sender",
                new InterBrokerAddresses(cache, "PLAINTEXT"),
                new NodeConnectionSettings(config.connectTimeoutMs(), 1, config.frameBytesMax()),
                config.requestTimeoutMs());
        return new NetworkTransactionMarkerChannel(config, leaders, transactionalId -> 0, endpoints,
                InstantSource.system());
    }

    /** The image's leaders, except that a partition's next look-up may name a given (wrong) broker once. */
    private static final class StaleFirstLeaders implements PartitionLeaders {
        private final PartitionLeaders image;
        private final Map<TransactionPartition, Integer> stale = new ConcurrentHashMap<>();
        private final Map<TransactionPartition, AtomicInteger> lookups = new ConcurrentHashMap<>();

        private StaleFirstLeaders(PartitionLeaders image) {
            this.image = image;
        }

        void staleOnce(TransactionPartition partition, int broker) {
            lookups.remove(partition);
            stale.put(partition, broker);
        }

        int lookups(TransactionPartition partition) {
            return lookups.getOrDefault(partition, new AtomicInteger()).get();
        }

        @Override
        public int leaderOf(TransactionPartition partition) {
            lookups.computeIfAbsent(partition, unused -> new AtomicInteger()).incrementAndGet();
            Integer wrong = stale.remove(partition);
            return wrong != null ? wrong : image.leaderOf(partition);
        }
    }

    private static TransactionMarkers markers(long producerId, boolean commit, int... partitions) {
        TreeSet<TransactionPartition> set = new TreeSet<>();
        for (int partition : partitions) {
            set.add(new TransactionPartition(TOPIC, partition));
        }
        return new TransactionMarkers("it-" + producerId, producerId, (short) 0, commit, set, COORDINATOR_EPOCH,
                (short) 0);
    }

    private static InetSocketAddress address(FjordTestCluster cluster, int id) {
        return new InetSocketAddress("127.0.0.1", cluster.node(id).boundAddress("PLAINTEXT").getPort());
    }

    private static void awaitFullIsr(Admin admin) {
        await().atMost(BOUND).untilAsserted(() -> {
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(60, TimeUnit.SECONDS)
                    .get(TOPIC);
            for (var partition : topic.partitions()) {
                Set<Integer> isr = new HashSet<>();
                partition.isr().forEach(node -> isr.add(node.id()));
                assertThat(isr).containsExactlyInAnyOrder(1, 2, 3);
            }
        });
    }

    /** The partition's leader in node {@code askedNode}'s image, once it has one. */
    private static int leaderOf(FjordTestCluster cluster, int askedNode, int partition) {
        MetadataCache cache = cluster.node(askedNode).metadataCache();
        await().atMost(BOUND).until(() -> cache.image().topic(TOPIC)
                .map(topic -> topic.partitions().get(partition).leader() != PartitionImage.NO_LEADER).orElse(false));
        return cache.image().topic(TOPIC).orElseThrow().partitions().get(partition).leader();
    }

    private static long initProducerId(FjordTestCluster cluster, int node) {
        RawClient client = new RawClient(address(cluster, node));
        long[] producerId = {-1};
        // The first InitProducerId after a start may get COORDINATOR_LOAD_IN_PROGRESS while the id block arrives.
        await().atMost(BOUND).until(() -> {
            InitProducerIdResponse response = client.send(new InitProducerIdRequest.Builder(
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1)).build((short) 4),
                    ApiKeys.INIT_PRODUCER_ID);
            producerId[0] = response.data().producerId();
            return response.error() == Errors.NONE;
        });
        return producerId[0];
    }

    /** One transactional batch of {@code producerId} at epoch 0, acks=all, to the partition's leader. */
    private static void produce(FjordTestCluster cluster, int leader, int partition, long producerId, int sequence,
            String... values) throws Exception {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int index = 0; index < values.length; index++) {
            records[index] = new SimpleRecord(values[index].getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0,
                sequence, records);
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId("it-" + producerId);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(batch))));
        request.setTopicData(topics);
        short version = 11;
        ProduceResponse response = new RawClient(address(cluster, leader)).send(
                new ProduceRequest.Builder(version, version, request).build(version), ApiKeys.PRODUCE);
        ProduceResponseData.PartitionProduceResponse answer = response.data().responses().iterator().next()
                .partitionResponses().get(0);
        assertThat(Errors.forCode(answer.errorCode())).as("produce of %s", List.of(values)).isEqualTo(Errors.NONE);
    }

    /** Both partitions from the start with read_committed until {@code count} values arrived (bounded), and beyond. */
    private static List<String> readCommitted(String bootstrap, int count) {
        Properties config = ClientConfigs.earliestConsumer(bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            // One more poll would show a record that should not be there (aborted data, a marker).
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                values.add(record.value());
            }
        }
        return values;
    }
}
