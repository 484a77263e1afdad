package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization end to end with unmodified kafka-clients: a three-node cluster with the StandardAuthorizer, SASL PLAIN
 * users {@code admin} (a super user, with the inter-broker user {@code broker} and {@code User:ANONYMOUS} for the
 * PLAINTEXT controller listener, as docs/security.md configures them), {@code alice} and {@code bob}. Without ACLs
 * alice can neither produce, consume nor see a topic; the ACLs Kafka asks for let her produce (idempotently and in
 * transactions) and let bob consume in a group; the brokers keep replicating (their fetches pass as super users).
 * One cluster serves every test; each test uses its own topics, groups and principals' ACLs. Time bounds are
 * liveness bounds for a busy machine.
 */
class AuthorizationIT {
    private static final Duration BOUND = Duration.ofSeconds(120);

    @TempDir
    static Path data;

    private static FjordTestCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = FjordTestCluster.start(data, 3, PlainAuthorizerSettings.node("alice", "bob"));
        cluster.awaitOneController(BOUND);
        admin = Admin.create(clientConfig("admin", 1));
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Properties clientConfig(String user, int nodeId) {
        Properties config = PlainAuthorizerSettings.client(user);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + cluster.node(nodeId).boundAddress("SASL").getPort());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return config;
    }

    private static KafkaProducer<String, String> producer(String user, Map<String, Object> extra) {
        Properties config = clientConfig(user, 2);
        config.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.putAll(extra);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String user, String group) {
        return consumer(user, group, "classic");
    }

    private static KafkaConsumer<String, String> consumer(String user, String group, String protocol) {
        Properties config = clientConfig(user, 3);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static AclBinding allow(ResourceType type, String name, String user, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /** Creates the ACLs and waits until every node's image holds them (a client may ask any node). */
    private static void grant(AclBinding... bindings) throws Exception {
        admin.createAcls(List.of(bindings)).all().get(60, TimeUnit.SECONDS);
        for (int nodeId = 1; nodeId <= 3; nodeId++) {
            try (Admin nodeAdmin = Admin.create(clientConfig("admin", nodeId))) {
                await().atMost(BOUND).until(() -> nodeAdmin.describeAcls(AclBindingFilter.ANY).values()
                        .get(60, TimeUnit.SECONDS).containsAll(List.of(bindings)));
            }
        }
    }

    private static void createTopic(String name, int replicationFactor, Map<String, String> configs)
            throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) replicationFactor).configs(configs))).all()
                .get(60, TimeUnit.SECONDS);
    }

    private static void produceAsAdmin(String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = producer("admin", Map.of())) {
            producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutAclsAliceCanNeitherProduceNorConsumeNorSeeTheTopic() throws Exception {
        createTopic("secret", 3, Map.of());
        produceAsAdmin("secret", "classified");

        try (KafkaProducer<String, String> producer = producer("alice", Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("secret", "leak")).get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> consumer = consumer("alice", null)) {
            consumer.assign(List.of(new TopicPartition("secret", 0)));
            assertThatThrownBy(() -> pollUntilFailure(consumer)).isInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> consumer = consumer("alice", "alice-group")) {
            consumer.subscribe(List.of("secret"));
            // Which the client reports first depends on its metadata and coordinator look-ups racing.
            assertThatThrownBy(() -> pollUntilFailure(consumer))
                    .isInstanceOfAny(TopicAuthorizationException.class, GroupAuthorizationException.class);
        }
        try (Admin alice = Admin.create(clientConfig("alice", 1))) {
            assertThat(alice.listTopics().names().get(60, TimeUnit.SECONDS)).doesNotContain("secret");
            assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).contains("secret");
        }
    }

    /** Polls until the consumer throws (the test's expectation), failing if it never does within the bound. */
    private static void pollUntilFailure(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500));
        }
        throw new AssertionError("the consumer never failed");
    }

    @Test
    void aliceProducesWithWriteAndBobConsumesInAGroupWithRead() throws Exception {
        createTopic("orders", 3, Map.of());
        try (KafkaProducer<String, String> producer = producer("alice", Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("orders", "early")).get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        // WRITE on a topic is enough for an idempotent producer (Kafka's InitProducerId: IDEMPOTENT_WRITE on the
        // cluster or WRITE on any topic).
        grant(allow(ResourceType.TOPIC, "orders", "alice", AclOperation.WRITE));
        try (KafkaProducer<String, String> producer = producer("alice", Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("orders", "order-" + i)).get(60, TimeUnit.SECONDS);
            }
        }

        grant(allow(ResourceType.TOPIC, "orders", "bob", AclOperation.READ));
        try (KafkaConsumer<String, String> consumer = consumer("bob", "bob-group", "classic")) {
            consumer.subscribe(List.of("orders"));
            assertThatThrownBy(() -> pollUntilFailure(consumer)).isInstanceOf(GroupAuthorizationException.class);
        }
        grant(allow(ResourceType.GROUP, "bob-group", "bob", AclOperation.READ));
        assertThat(consumeAndCommit("bob-group", "classic", "orders", 5))
                .containsExactly("order-0", "order-1", "order-2", "order-3", "order-4");
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("bob-group")
                .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
        assertThat(committed.get(new TopicPartition("orders", 0)).offset()).isEqualTo(5);
    }

    @Test
    void bobConsumesInAConsumerProtocolGroupWithRead() throws Exception {
        createTopic("invoices", 3, Map.of());
        produceAsAdmin("invoices", "invoice-0");
        grant(allow(ResourceType.TOPIC, "invoices", "bob", AclOperation.READ));
        try (KafkaConsumer<String, String> consumer = consumer("bob", "bob-848", "consumer")) {
            consumer.subscribe(List.of("invoices"));
            assertThatThrownBy(() -> pollUntilFailure(consumer)).isInstanceOf(GroupAuthorizationException.class);
        }
        grant(allow(ResourceType.GROUP, "bob-848", "bob", AclOperation.READ));
        assertThat(consumeAndCommit("bob-848", "consumer", "invoices", 1)).containsExactly("invoice-0");
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("bob-848")
                .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
        assertThat(committed.get(new TopicPartition("invoices", 0)).offset()).isEqualTo(1);
    }

    /** Bob consumes {@code count} records of the topic in the group, then commits their offsets. */
    private static List<String> consumeAndCommit(String group, String protocol, String topic, int count) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer("bob", group, protocol)) {
            consumer.subscribe(List.of(topic));
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
                return values.size() >= count;
            });
            consumer.commitSync(Duration.ofSeconds(60));
        }
        return values;
    }

    @Test
    void aTransactionalProducerNeedsWriteOnItsTransactionalId() throws Exception {
        createTopic("payments", 3, Map.of());
        grant(allow(ResourceType.TOPIC, "payments", "alice", AclOperation.WRITE));
        Map<String, Object> transactional = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "alice-tx");
        try (KafkaProducer<String, String> producer = producer("alice", transactional)) {
            assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }

        grant(allow(ResourceType.TRANSACTIONAL_ID, "alice-tx", "alice", AclOperation.WRITE));
        try (KafkaProducer<String, String> producer = producer("alice", transactional)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("payments", "paid")).get(60, TimeUnit.SECONDS);
            producer.commitTransaction();
        }
        // The commit marker follows the record: the end offset is 2 once the transaction is committed.
        TopicPartition partition = new TopicPartition("payments", 0);
        await().atMost(BOUND).until(() -> admin.listOffsets(Map.of(partition,
                org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(partition)
                .get(60, TimeUnit.SECONDS).offset() == 2);
    }

    @Test
    void theClusterKeepsReplicatingAndDescribeShowsTheOperationsAclsAllow() throws Exception {
        createTopic("replicated", 3, Map.of("min.insync.replicas", "2"));
        grant(allow(ResourceType.TOPIC, "replicated", "alice", AclOperation.WRITE));
        try (KafkaProducer<String, String> producer = producer("alice", Map.of())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("replicated", "value-" + i)).get(60, TimeUnit.SECONDS);
            }
        }
        // acks=all with min ISR 2 succeeded, and every replica stays in the ISR: the brokers' fetches pass.
        await().atMost(BOUND).until(() -> admin.describeTopics(List.of("replicated")).allTopicNames()
                .get(60, TimeUnit.SECONDS).get("replicated").partitions().get(0).isr().size() == 3);

        try (Admin alice = Admin.create(clientConfig("alice", 2))) {
            TopicDescription description = alice.describeTopics(List.of("replicated"),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()
                    .get(60, TimeUnit.SECONDS).get("replicated");
            // WRITE implies DESCRIBE.
            assertThat(description.authorizedOperations())
                    .containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        TopicDescription asAdmin = admin.describeTopics(List.of("replicated"),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()
                .get(60, TimeUnit.SECONDS).get("replicated");
        assertThat(asAdmin.authorizedOperations()).containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE,
                AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    }
}
