package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes the upgrade fixtures ({@link UpgradeFixture}): a node of the current release, driven by unmodified
 * kafka-clients, creates topics with static and dynamic configs, writes records with three idempotent producers
 * (gzip, lz4, uncompressed), commits offsets for a classic and a KIP-848 group, sets dynamic broker and group
 * configs, and stops cleanly; its directories are zipped into {@code upgrade.fixture.dir} (by default this module's
 * {@code src/test/resources/upgrade}) with a manifest of everything {@link SingleNodeUpgradeIT} checks. Runs only
 * with {@code -Dupgrade.fixture.write=true}: the fixtures must stay as the old release wrote them.
 */
@EnabledIfSystemProperty(named = "upgrade.fixture.write", matches = "true")
class UpgradeFixtureGeneratorIT {
    static final String CLASSIC_GROUP = "billing-classic";
    static final String CONSUMER_GROUP = "billing-848";

    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");
    private static final int ASYNC_RECORDS_PER_PARTITION = 30;

    @TempDir
    Path work;

    private final FixtureManifest manifest = new FixtureManifest();
    /** Per producer name, topic and partition: records written, last offset, last timestamp. */
    private final Map<String, long[]> lastWrites = new HashMap<>();
    private long nextTimestampMs = UpgradeFixture.RECORD_TIMESTAMP_BASE_MS;

    @ParameterizedTest
    @EnumSource(UpgradeFixture.class)
    void writeFixture(UpgradeFixture fixture) throws Exception {
        Path root = work.resolve("fixture");
        try (FjordTestNode node = FjordTestNode.start(root.resolve(fixture.directories().get(0)),
                fixture.nodeConfig(root)); Admin admin = node.admin()) {
            manifest.put("cluster.id", admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS));
            createTopics(admin);
            produce(node);
            describeProducers(admin);
            commitOffsets(node, admin);
            alterBrokerAndGroupConfigs(admin);
            recordConfigs(admin);
            recordPlacement(admin);
        }
        for (String directory : fixture.directories()) {
            assertThat(root.resolve(directory).resolve(".kafka_cleanshutdown")).as("clean shutdown").exists();
        }
        Path output = Path.of(System.getProperty("upgrade.fixture.dir", "src/test/resources/upgrade"));
        Files.createDirectories(output);
        try (OutputStream zip = Files.newOutputStream(output.resolve(fixture.fileName("zip")))) {
            FixtureArchive.pack(root, fixture.directories(), zip);
        }
        manifest.write(output.resolve(fixture.fileName("properties")), "What SingleNodeUpgradeIT checks in "
                + fixture.fileName("zip") + ", written by UpgradeFixtureGeneratorIT (see README.md).");
    }

    private void createTopics(Admin admin) throws Exception {
        admin.createTopics(List.of(
                new NewTopic("orders", 3, (short) 1).configs(Map.of("retention.ms", "-1")),
                new NewTopic("accounts", 2, (short) 1).configs(Map.of("cleanup.policy", "compact",
                        "min.compaction.lag.ms", "60000", "segment.bytes", "1048576")),
                new NewTopic("events", 1, (short) 1).configs(Map.of("retention.ms", "-1", "segment.ms", "86400000"))))
                .all().get(20, TimeUnit.SECONDS);
        // Altered after creation: one config set, one removed again.
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "events"), List.of(
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("segment.ms", ""), AlterConfigOp.OpType.DELETE))))
                .all().get(20, TimeUnit.SECONDS);
        admin.describeTopics(List.of("orders", "accounts", "events")).allTopicNames().get(20, TimeUnit.SECONDS)
                .forEach((name, description) -> {
                    manifest.put("topic." + name + ".id", description.topicId());
                    manifest.put("topic." + name + ".partitions", description.partitions().size());
                });
    }

    private void produce(FjordTestNode node) throws Exception {
        try (KafkaProducer<String, String> plain = producer(node, "none")) {
            for (int index = 0; index < 10; index++) {
                String key = index % 3 == 0 ? null : "event-" + index;
                send(plain, "plain", "events", 0, key, "event " + index, headers("type", "click", "empty", ""));
            }
            for (int index = 0; index < 5; index++) {
                send(plain, "plain", "orders", 0, "order-0-early-" + index, "early order " + index,
                        headers("source", "upgrade-fixture"));
            }
        }
        try (KafkaProducer<String, String> gzip = producer(node, "gzip")) {
            List<Runnable> acknowledged = new ArrayList<>();
            for (int partition = 0; partition < 3; partition++) {
                for (int index = 0; index < ASYNC_RECORDS_PER_PARTITION; index++) {
                    List<RecordHeader> headers = index % 5 == 0
                            ? headers("source", "upgrade-fixture", "index", Integer.toString(index), "trace", null)
                            : headers("source", "upgrade-fixture", "index", Integer.toString(index));
                    acknowledged.add(sendAsync(gzip, "gzip", "orders", partition, "order-" + partition + "-" + index,
                            "order " + partition + "/" + index + " amount=" + (index * 7 + partition), headers));
                }
            }
            gzip.flush();
            acknowledged.forEach(Runnable::run);
            for (int partition = 0; partition < 3; partition++) {
                send(gzip, "gzip", "orders", partition, "order-" + partition + "-last", "last order " + partition,
                        headers());
            }
        }
        try (KafkaProducer<String, String> lz4 = producer(node, "lz4")) {
            List<Runnable> acknowledged = new ArrayList<>();
            for (int partition = 0; partition < 2; partition++) {
                for (int index = 0; index < 15; index++) {
                    List<RecordHeader> headers = index % 2 == 0 ? headers() : headers("currency", "EUR");
                    acknowledged.add(sendAsync(lz4, "lz4", "accounts", partition, "account-" + (index % 6),
                            "balance=" + index * 100, headers));
                }
            }
            lz4.flush();
            acknowledged.forEach(Runnable::run);
            for (int partition = 0; partition < 2; partition++) {
                send(lz4, "lz4", "accounts", partition, "account-0", null, headers()); // a tombstone
            }
        }
    }

    private KafkaProducer<String, String> producer(FjordTestNode node, String compression) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static List<RecordHeader> headers(String... namesAndValues) {
        List<RecordHeader> headers = new ArrayList<>();
        for (int index = 0; index < namesAndValues.length; index += 2) {
            String value = namesAndValues[index + 1];
            headers.add(new RecordHeader(namesAndValues[index], value == null ? null
                    : value.getBytes(StandardCharsets.UTF_8)));
        }
        return headers;
    }

    /** Sends one record as a batch of its own and waits for it, so it is the producer's last batch there. */
    private void send(KafkaProducer<String, String> producer, String producerName, String topic, int partition,
            String key, String value, List<RecordHeader> headers) throws Exception {
        sendAsync(producer, producerName, topic, partition, key, value, headers).run();
    }

    /** Sends one record; running the result waits for its acknowledgement and writes it into the manifest. */
    private Runnable sendAsync(KafkaProducer<String, String> producer, String producerName, String topic,
            int partition, String key, String value, List<RecordHeader> headers) {
        long timestampMs = nextTimestampMs++;
        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic, partition, timestampMs, key, value,
                List.copyOf(headers)));
        return () -> {
            try {
                RecordMetadata metadata = sent.get(30, TimeUnit.SECONDS);
                List<Map.Entry<String, String>> headerTexts = new ArrayList<>();
                headers.forEach(header -> headerTexts.add(new AbstractMap.SimpleImmutableEntry<>(header.key(),
                        header.value() == null ? null
                                : new String(header.value(), StandardCharsets.UTF_8))));
                manifest.putRecord(new FixtureRecord(topic, partition, metadata.offset(), key, value, timestampMs,
                        headerTexts));
                lastWrites.merge(producerName + "." + topic + "." + partition, new long[] {1, metadata.offset(),
                        timestampMs}, (old, now) -> new long[] {old[0] + 1, now[1], now[2]});
            } catch (Exception e) {
                throw new IllegalStateException("Not acknowledged: " + topic + "-" + partition + " " + key, e);
            }
        };
    }

    private void describeProducers(Admin admin) throws Exception {
        Map<String, Long> producerIds = new HashMap<>();
        producerIds.put("plain", onlyProducer(admin, "events", 0).producerId());
        producerIds.put("gzip", onlyProducer(admin, "orders", 1).producerId());
        producerIds.put("lz4", onlyProducer(admin, "accounts", 0).producerId());
        assertThat(producerIds.values()).doesNotHaveDuplicates();
        producerIds.forEach((name, id) -> {
            manifest.put("producer." + name + ".id", id);
            manifest.put("producer." + name + ".epoch", 0);
        });
        Map<TopicPartition, Integer> producersPerPartition = new HashMap<>();
        for (Map.Entry<String, long[]> write : lastWrites.entrySet()) {
            String[] parts = write.getKey().split("\\.");
            TopicPartition partition = new TopicPartition(parts[1], Integer.parseInt(parts[2]));
            long[] counts = write.getValue();
            List<ProducerState> states = admin.describeProducers(List.of(partition)).partitionResult(partition)
                    .get(20, TimeUnit.SECONDS).activeProducers();
            producersPerPartition.put(partition, states.size());
            ProducerState state = states.stream().filter(s -> s.producerId() == producerIds.get(parts[0]))
                    .findFirst().orElseThrow();
            assertThat(state.producerEpoch()).isZero();
            assertThat(state.lastSequence()).isEqualTo(counts[0] - 1);
            assertThat(state.lastTimestamp()).isEqualTo(counts[2]);
            // lastSequence|offset of the last batch (one record)|its timestamp
            manifest.put("producer." + write.getKey(), state.lastSequence() + "|" + counts[1] + "|" + counts[2]);
        }
        assertThat(producersPerPartition.get(new TopicPartition("orders", 0))).isEqualTo(2);
        producersPerPartition.forEach((partition, count) -> manifest.put("producers." + partition.topic() + "."
                + partition.partition(), count));
    }

    private static ProducerState onlyProducer(Admin admin, String topic, int partition) throws Exception {
        TopicPartition topicPartition = new TopicPartition(topic, partition);
        List<ProducerState> states = admin.describeProducers(List.of(topicPartition)).partitionResult(topicPartition)
                .get(20, TimeUnit.SECONDS).activeProducers();
        assertThat(states).hasSize(1);
        return states.get(0);
    }

    private void commitOffsets(FjordTestNode node, Admin admin) throws Exception {
        TopicPartition orders0 = new TopicPartition("orders", 0);
        TopicPartition orders1 = new TopicPartition("orders", 1);
        TopicPartition orders2 = new TopicPartition("orders", 2);
        TopicPartition accounts0 = new TopicPartition("accounts", 0);
        TopicPartition accounts1 = new TopicPartition("accounts", 1);
        commitAsMember(node, CLASSIC_GROUP, "classic", List.of("orders"), 3, Map.of(
                orders0, new OffsetAndMetadata(10, "classic-0"),
                orders1, new OffsetAndMetadata(20, "classic-1"),
                orders2, new OffsetAndMetadata(31, "")));
        commitAsMember(node, CONSUMER_GROUP, "consumer", List.of("orders", "accounts"), 5, Map.of(
                orders0, new OffsetAndMetadata(5, "next-0"),
                orders1, new OffsetAndMetadata(31, "end"),
                accounts0, new OffsetAndMetadata(7, "half"),
                accounts1, new OffsetAndMetadata(16, "end")));
        for (String group : List.of(CLASSIC_GROUP, CONSUMER_GROUP)) {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> manifest.put("group." + group + ".offset." + partition.topic()
                            + "." + partition.partition(), offset.offset() + "|" + offset.metadata()));
            manifest.put("group." + group + ".type", admin.describeConsumerGroups(List.of(group)).all()
                    .get(20, TimeUnit.SECONDS).get(group).type());
        }
    }

    /** Joins {@code groupId} with the given protocol, waits for all partitions, commits, and leaves. */
    private static void commitAsMember(FjordTestNode node, String groupId, String protocol, List<String> topics,
            int partitions, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(topics);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200));
                return consumer.assignment().size() == partitions;
            });
            consumer.commitSync(offsets, Duration.ofSeconds(20));
        }
    }

    private static void alterBrokerAndGroupConfigs(Admin admin) throws Exception {
        admin.incrementalAlterConfigs(Map.of(
                CLUSTER_DEFAULT, List.of(set("log.cleaner.threads", "2")),
                THIS_BROKER, List.of(set("message.max.bytes", "1100000")),
                new ConfigResource(ConfigResource.Type.GROUP, CONSUMER_GROUP), List.of(
                        set("consumer.session.timeout.ms", "50000"), set("consumer.heartbeat.interval.ms", "6000"))))
                .all().get(20, TimeUnit.SECONDS);
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    /** The dynamic configs as the node describes them now, each under its resource. */
    private void recordConfigs(Admin admin) throws Exception {
        Map<ConfigResource, String> prefixes = Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, "orders"), "config.topic.orders.",
                new ConfigResource(ConfigResource.Type.TOPIC, "accounts"), "config.topic.accounts.",
                new ConfigResource(ConfigResource.Type.TOPIC, "events"), "config.topic.events.",
                CLUSTER_DEFAULT, "config.broker-default.",
                THIS_BROKER, "config.broker-1.",
                new ConfigResource(ConfigResource.Type.GROUP, CONSUMER_GROUP), "config.group." + CONSUMER_GROUP + ".");
        Map<ConfigResource, Config> described = admin.describeConfigs(
                prefixes.keySet()).all().get(20, TimeUnit.SECONDS);
        described.forEach((resource, config) -> config.entries().stream()
                .filter(entry -> isDynamic(resource, entry.source()))
                .forEach(entry -> manifest.put(prefixes.get(resource) + entry.name(), entry.value())));
        // The broker's dynamic message.max.bytes is the default of topics without an override.
        ConfigEntry ordersMaxMessageBytes = described.get(new ConfigResource(ConfigResource.Type.TOPIC, "orders"))
                .get("max.message.bytes");
        assertThat(ordersMaxMessageBytes.value()).isEqualTo("1100000");
        assertThat(ordersMaxMessageBytes.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
    }

    static boolean isDynamic(ConfigResource resource, ConfigSource source) {
        return switch (resource.type()) {
            case TOPIC -> source == ConfigSource.DYNAMIC_TOPIC_CONFIG;
            case GROUP -> source == ConfigSource.DYNAMIC_GROUP_CONFIG;
            case BROKER -> resource.isDefault() ? source == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
                    : source == ConfigSource.DYNAMIC_BROKER_CONFIG;
            default -> false;
        };
    }

    /** Which data directory holds each partition of the fixture's topics, and each partition's end offset. */
    private void recordPlacement(Admin admin) throws Exception {
        Map<String, LogDirDescription> directories = admin.describeLogDirs(List.of(1)).allDescriptions()
                .get(20, TimeUnit.SECONDS).get(1);
        directories.forEach((path, description) -> description.replicaInfos().keySet().stream()
                .filter(partition -> !partition.topic().startsWith("__"))
                .forEach(partition -> manifest.put("directory." + partition.topic() + "." + partition.partition(),
                        Path.of(path).getFileName())));
        Map<String, Long> ends = new HashMap<>();
        lastWrites.forEach((key, counts) -> {
            String place = key.substring(key.indexOf('.') + 1);
            ends.merge(place, counts[1] + 1, Math::max);
        });
        ends.forEach((place, end) -> manifest.put("end-offset." + place, end));
    }
}
