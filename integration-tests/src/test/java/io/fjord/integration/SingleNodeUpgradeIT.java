package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.integration.UpgradeExpectations.ProducerExpectation;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue #11's upgrade test: a data directory written by the single-node Fjord 0.1.0 ({@link UpgradeFixture}, made
 * by {@link UpgradeFixtureGeneratorIT}) starts under the current code with its cluster id, topics (ids, partitions,
 * static and dynamic configs), every record (offset, key, value, timestamp, headers), dynamic broker and group
 * configs, committed offsets of a classic and a KIP-848 group, and idempotent producer state (ids, epochs, last
 * sequences, and retries of their last batches recognized as duplicates); then it takes more writes and commits and
 * shows all of it again after a restart. Checked with the unmodified kafka-clients (and one raw Produce request).
 */
class SingleNodeUpgradeIT {
    /**
     * The fixture is old when this runs, and Kafka would expire what it holds as Fjord does: offsets committed more
     * than {@code offsets.retention.minutes} (7 days by default) ago, counted from the commit or from the time the
     * group became Empty, both stored in the fixture; and producers idle for {@code producer.id.expiration.ms} (1
     * day) by their last batch's timestamp. So the node runs with the longest retention each allows: Integer.MAX_VALUE
     * minutes (about 4,000 years) and Integer.MAX_VALUE ms (only 24.8 days, which is why the fixture's records carry
     * timestamps in 2100, see {@link UpgradeFixture#RECORD_TIMESTAMP_BASE_MS}).
     */
    private static final Map<String, String> NOTHING_EXPIRES = Map.of(
            "offsets.retention.minutes", Integer.toString(Integer.MAX_VALUE),
            "producer.id.expiration.ms", Integer.toString(Integer.MAX_VALUE));
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");
    private static final Set<String> TOPICS = Set.of("orders", "accounts", "events");
    private static final short PRODUCE_VERSION = 9;

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(UpgradeFixture.class)
    void aDataDirectoryOfTheSingleNodeReleaseKeepsEverythingAndTakesNewWork(UpgradeFixture fixture) throws Exception {
        UpgradeExpectations expected = new UpgradeExpectations(fixture.readManifest());
        try (InputStream archive = fixture.openArchive()) {
            FixtureArchive.unpack(archive, work);
        }
        Map<String, String> config = new HashMap<>(fixture.nodeConfig(work));
        config.putAll(NOTHING_EXPIRES);
        Path metadataDirectory = work.resolve(fixture.directories().get(0));

        try (FjordTestNode node = FjordTestNode.start(metadataDirectory, config); Admin admin = node.admin()) {
            assertIntact(node, admin, expected);
            retryLastBatchesOfOldProducers(node, expected);
            continueOldProducer(node, expected, "gzip", new TopicPartition("orders", 1));
            produceWithNewProducer(node, admin, expected);
            resumeGroup(node, expected, UpgradeFixtureGeneratorIT.CLASSIC_GROUP, "classic", List.of("orders"), 3);
            resumeGroup(node, expected, UpgradeFixtureGeneratorIT.CONSUMER_GROUP, "consumer",
                    List.of("orders", "accounts"), 5);
            assertIntact(node, admin, expected);
        }
        try (FjordTestNode node = FjordTestNode.start(metadataDirectory, config); Admin admin = node.admin()) {
            assertIntact(node, admin, expected);
            retryLastBatchesOfOldProducers(node, expected);
        }
    }

    private static void assertIntact(FjordTestNode node, Admin admin, UpgradeExpectations expected)
            throws Exception {
        FixtureManifest manifest = expected.manifest();
        DescribeClusterResult cluster = admin.describeCluster();
        assertThat(cluster.clusterId().get(20, TimeUnit.SECONDS)).isEqualTo(manifest.get("cluster.id"));
        assertThat(cluster.nodes().get(20, TimeUnit.SECONDS)).extracting(Node::id).containsExactly(1);

        assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).isEqualTo(TOPICS);
        Map<String, TopicDescription> topics = admin.describeTopics(TOPICS).allTopicNames().get(20, TimeUnit.SECONDS);
        for (String topic : TOPICS) {
            assertThat(topics.get(topic).topicId()).as(topic).hasToString(manifest.get("topic." + topic + ".id"));
            assertThat(topics.get(topic).partitions()).as(topic)
                    .hasSize((int) manifest.getLong("topic." + topic + ".partitions"));
        }
        assertConfigs(node, admin, manifest);
        assertPlacement(admin, manifest);
        assertRecords(node, expected);
        assertCommittedOffsets(admin, expected);
        assertProducers(admin, expected);
    }

    private static void assertConfigs(FjordTestNode node, Admin admin, FixtureManifest manifest) throws Exception {
        Map<ConfigResource, String> prefixes = new HashMap<>();
        TOPICS.forEach(topic -> prefixes.put(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                "config.topic." + topic + "."));
        prefixes.put(CLUSTER_DEFAULT, "config.broker-default.");
        prefixes.put(THIS_BROKER, "config.broker-1.");
        String group = UpgradeFixtureGeneratorIT.CONSUMER_GROUP;
        prefixes.put(new ConfigResource(ConfigResource.Type.GROUP, group), "config.group." + group + ".");
        Map<ConfigResource, Config> described = admin.describeConfigs(prefixes.keySet()).all()
                .get(20, TimeUnit.SECONDS);
        prefixes.forEach((resource, prefix) -> {
            Map<String, String> dynamic = new TreeMap<>();
            described.get(resource).entries().stream()
                    .filter(entry -> UpgradeFixtureGeneratorIT.isDynamic(resource, entry.source()))
                    .forEach(entry -> dynamic.put(entry.name(), entry.value()));
            assertThat(dynamic).as("dynamic configs of %s", resource).isEqualTo(manifest.withPrefix(prefix))
                    .isNotEmpty();
        });
        ConfigEntry inherited = described.get(new ConfigResource(ConfigResource.Type.TOPIC, "orders"))
                .get("max.message.bytes");
        assertThat(inherited.value()).isEqualTo("1100000");
        assertThat(inherited.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(described.get(new ConfigResource(ConfigResource.Type.TOPIC, "events")).get("segment.ms").source())
                .as("deleted after creation").isEqualTo(ConfigSource.DEFAULT_CONFIG);
        // Read at start-up: the dynamic value reached the node's settings.
        assertThat(node.node().logManager().config().cleanerConfig().threads()).isEqualTo(2);
    }

    private static void assertPlacement(Admin admin, FixtureManifest manifest) throws Exception {
        Map<String, String> placement = new TreeMap<>();
        Map<String, LogDirDescription> directories = admin.describeLogDirs(List.of(1)).allDescriptions()
                .get(20, TimeUnit.SECONDS).get(1);
        directories.forEach((path, description) -> description.replicaInfos().keySet().stream()
                .filter(partition -> TOPICS.contains(partition.topic()))
                .forEach(partition -> placement.put(partition.topic() + "." + partition.partition(),
                        Path.of(path).getFileName().toString())));
        assertThat(placement).isEqualTo(manifest.withPrefix("directory."));
    }

    private static void assertRecords(FjordTestNode node, UpgradeExpectations expected) {
        List<TopicPartition> partitions = expected.partitions();
        assertThat(partitions).hasSize(6);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties(node),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, Duration.ofSeconds(20));
            Map<TopicPartition, List<FixtureRecord>> read = new HashMap<>();
            for (TopicPartition partition : partitions) {
                assertThat(ends.get(partition)).as("end of %s", partition).isEqualTo(expected.endOffset(partition));
                assertThat(starts.get(partition)).as("start of %s", partition).isZero();
                read.put(partition, new ArrayList<>());
            }
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.get(new TopicPartition(record.topic(), record.partition())).add(toFixtureRecord(record));
                }
                return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
            });
            for (TopicPartition partition : partitions) {
                assertThat(read.get(partition)).as("records of %s", partition)
                        .containsExactlyElementsOf(expected.records(partition));
            }
        }
    }

    private static FixtureRecord toFixtureRecord(ConsumerRecord<String, String> record) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new AbstractMap.SimpleImmutableEntry<>(header.key(),
                    header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8)));
        }
        return new FixtureRecord(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                record.timestamp(), headers);
    }

    private static void assertCommittedOffsets(Admin admin, UpgradeExpectations expected) throws Exception {
        FixtureManifest manifest = expected.manifest();
        for (String group : List.of(UpgradeFixtureGeneratorIT.CLASSIC_GROUP,
                UpgradeFixtureGeneratorIT.CONSUMER_GROUP)) {
            Map<String, String> committed = new TreeMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> committed.put(partition.topic() + "." + partition.partition(),
                            offset.offset() + "|" + offset.metadata()));
            assertThat(committed).as("offsets of %s", group).isEqualTo(expected.committedOffsets(group));
            // The last member left just before; its leave may still be on the way.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                        .get(20, TimeUnit.SECONDS).get(group);
                assertThat(description.type()).hasToString(manifest.get("group." + group + ".type"));
                assertThat(description.groupState()).isEqualTo(GroupState.EMPTY);
            });
        }
    }

    private static void assertProducers(Admin admin, UpgradeExpectations expected) throws Exception {
        for (TopicPartition partition : expected.partitions()) {
            List<ProducerState> states = admin.describeProducers(List.of(partition)).partitionResult(partition)
                    .get(20, TimeUnit.SECONDS).activeProducers();
            assertThat(states).as("producers of %s", partition).hasSize(expected.producerCount(partition));
            expected.producers().getOrDefault(partition, Map.of()).forEach((name, state) -> {
                ProducerState described = states.stream().filter(s -> s.producerId() == state.producerId())
                        .findFirst().orElseThrow(() -> new AssertionError("No producer " + name + " ("
                                + state.producerId() + ") on " + partition + ": " + states));
                assertThat(described.producerEpoch()).as("%s on %s", name, partition).isEqualTo(state.epoch());
                assertThat(described.lastSequence()).as("%s on %s", name, partition).isEqualTo(state.lastSequence());
                assertThat(described.lastTimestamp()).as("%s on %s", name, partition)
                        .isEqualTo(state.lastTimestampMs());
            });
        }
    }

    /**
     * Sends again, with a raw Produce request, the last batch (one record) of every producer on every partition: a
     * node that kept the producer state knows it as a retry and answers with the original offset, writing nothing.
     * Without that state the batch is out of sequence, or written a second time.
     */
    private static void retryLastBatchesOfOldProducers(FjordTestNode node, UpgradeExpectations expected)
            throws Exception {
        RawClient client = new RawClient(node.node().boundAddress("PLAINTEXT"));
        int retried = 0;
        for (var partitionStates : expected.producers().entrySet()) {
            TopicPartition partition = partitionStates.getKey();
            for (var named : partitionStates.getValue().entrySet()) {
                ProducerExpectation state = named.getValue();
                FixtureRecord original = expected.records(partition).stream()
                        .filter(record -> record.offset() == state.lastOffset()).findFirst().orElseThrow();
                ProduceResponseData.PartitionProduceResponse response = produceRaw(client, partition,
                        state.producerId(), state.epoch(), state.lastSequence(), original);
                assertThat(Errors.forCode(response.errorCode())).as("retry of %s on %s", named.getKey(), partition)
                        .isEqualTo(Errors.NONE);
                assertThat(response.baseOffset()).as("retry of %s on %s", named.getKey(), partition)
                        .isEqualTo(state.lastOffset());
                retried++;
            }
        }
        assertThat(retried).isGreaterThanOrEqualTo(7);
    }

    /** The old producer's next sequence is appended at the log end: its state goes on where the fixture left it. */
    private static void continueOldProducer(FjordTestNode node, UpgradeExpectations expected, String name,
            TopicPartition partition) throws Exception {
        ProducerExpectation state = expected.producers().get(partition).get(name);
        long endOffset = expected.endOffset(partition);
        FixtureRecord record = new FixtureRecord(partition.topic(), partition.partition(), endOffset,
                "continued-" + name, "after the upgrade", System.currentTimeMillis(), List.of());
        ProduceResponseData.PartitionProduceResponse response = produceRaw(
                new RawClient(node.node().boundAddress("PLAINTEXT")), partition, state.producerId(), state.epoch(),
                state.lastSequence() + 1, record);
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(response.baseOffset()).isEqualTo(endOffset);
        expected.addRecord(record);
        expected.producerWrote(partition, name, new ProducerExpectation(state.producerId(), state.epoch(),
                state.lastSequence() + 1, endOffset, record.timestampMs()));
    }

    private static ProduceResponseData.PartitionProduceResponse produceRaw(RawClient client,
            TopicPartition partition, long producerId, int epoch, int sequence, FixtureRecord record)
            throws Exception {
        MemoryRecords records = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) epoch,
                sequence, new SimpleRecord(record.timestampMs(), bytes(record.key()), bytes(record.value())));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(partition.topic()).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(partition.partition()).setRecords(records))));
        data.setTopicData(topics);
        ProduceResponse response = client.send(new ProduceRequest.Builder(PRODUCE_VERSION, PRODUCE_VERSION, data)
                .build(PRODUCE_VERSION), ApiKeys.PRODUCE);
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** A new idempotent producer writes two records to every partition; its id is none of the fixture's. */
    private static void produceWithNewProducer(FjordTestNode node, Admin admin, UpgradeExpectations expected)
            throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        Map<TopicPartition, RecordMetadata> lastWrites = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new StringSerializer())) {
            for (TopicPartition partition : expected.partitions()) {
                for (int index = 0; index < 2; index++) {
                    long timestampMs = System.currentTimeMillis();
                    String key = "new-" + partition.partition() + "-" + index;
                    String value = "written after the upgrade " + index;
                    RecordMetadata metadata = producer.send(new ProducerRecord<>(partition.topic(),
                            partition.partition(), timestampMs, key, value)).get(30, TimeUnit.SECONDS);
                    assertThat(metadata.offset()).isEqualTo(expected.endOffset(partition));
                    expected.addRecord(new FixtureRecord(partition.topic(), partition.partition(), metadata.offset(),
                            key, value, timestampMs, List.of()));
                    lastWrites.put(partition, metadata);
                }
            }
        }
        Set<Long> oldIds = new HashSet<>();
        expected.producers().values().forEach(states -> states.values().forEach(s -> oldIds.add(s.producerId())));
        TopicPartition events = new TopicPartition("events", 0);
        List<ProducerState> states = admin.describeProducers(List.of(events)).partitionResult(events)
                .get(20, TimeUnit.SECONDS).activeProducers();
        List<Long> newIds = states.stream().map(ProducerState::producerId).filter(id -> !oldIds.contains(id))
                .toList();
        assertThat(newIds).as("a producer id handed out after the upgrade").hasSize(1);
        long newId = newIds.get(0);
        lastWrites.forEach((partition, metadata) -> expected.producerWrote(partition, "new",
                new ProducerExpectation(newId, 0, 1, metadata.offset(), metadata.timestamp())));
    }

    /**
     * A member of the group starts at the offsets committed before (the fixture's, or the first run's), then commits
     * the log ends, which the next checks expect.
     */
    private static void resumeGroup(FjordTestNode node, UpgradeExpectations expected, String group,
            String protocol, List<String> topics, int partitions) {
        Properties properties = consumerProperties(node);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> committed = expected.committedOffsets(group);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(topics);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200));
                return consumer.assignment().size() == partitions;
            });
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            for (TopicPartition partition : consumer.assignment()) {
                String key = partition.topic() + "." + partition.partition();
                if (committed.containsKey(key)) {
                    long committedOffset = Long.parseLong(committed.get(key).split("\\|")[0]);
                    assertThat(consumer.committed(Set.of(partition)).get(partition).offset()).isEqualTo(
                            committedOffset);
                }
                ends.put(partition, new OffsetAndMetadata(expected.endOffset(partition), "after-upgrade"));
            }
            consumer.commitSync(ends, Duration.ofSeconds(20));
            ends.forEach((partition, offset) -> expected.commit(group, partition, offset.offset(), offset.metadata()));
        }
    }

    private static Properties consumerProperties(FjordTestNode node) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return properties;
    }
}
