package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups on the classic protocol with the unmodified kafka-clients 4.4.0 consumer: members join, leave
 * cleanly and crash (a child JVM killed so its session times out) while every record is consumed and each partition
 * has one owner at a time, with the eager and the cooperative assignor; committed offsets survive a restart;
 * auto.offset.reset; static membership.
 */
class ConsumerGroupIT {
    private static final int PARTITIONS = 6;

    @TempDir
    Path data;

    /** Settings for fast groups: no initial rebalance delay, sessions as short as one second. */
    static Map<String, String> groupNodeConfig() {
        return Map.of("group.initial.rebalance.delay.ms", "0", "group.min.session.timeout.ms", "500",
                "offsets.topic.num.partitions", "5");
    }

    private static KafkaProducer<String, String> producer(FjordTestNode node) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    /** Sends {@code count} values named {@code prefix-n} round-robin over the partitions; returns them. */
    static List<String> produce(FjordTestNode node, String topic, String prefix, int count) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(node)) {
            int partitions = producer.partitionsFor(topic).size();
            for (int index = 0; index < count; index++) {
                String value = prefix + "-" + index;
                values.add(value);
                producer.send(new ProducerRecord<>(topic, index % partitions, null, value));
            }
            producer.flush();
        }
        return values;
    }

    static void createTopic(FjordTestNode node, String topic, int partitions) throws Exception {
        try (Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(20, TimeUnit.SECONDS);
        }
    }

    private static Set<TopicPartition> allPartitions() {
        Set<TopicPartition> all = new HashSet<>();
        IntStream.range(0, PARTITIONS).forEach(partition -> all.add(new TopicPartition("events", partition)));
        return all;
    }

    /** A child member's reports, into the ledger (as {@code name}) and the set of consumed values. */
    private static ChildGroupMember.Events childEvents(String name, OwnershipLedger ownership, Set<String> consumed) {
        return new ChildGroupMember.Events() {
            @Override
            public void assigned(java.util.Collection<TopicPartition> partitions) {
                ownership.claim(name, partitions);
            }

            @Override
            public void released(java.util.Collection<TopicPartition> partitions) {
                ownership.release(name, partitions);
            }

            @Override
            public void record(String value) {
                consumed.add(value);
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"range", "cooperative-sticky"})
    void membersJoinLeaveAndCrashWhileEveryRecordIsConsumedByOneOwnerAtATime(String assignor) throws Exception {
        String assignorClass = assignor.equals("range") ? RangeAssignor.class.getName()
                : CooperativeStickyAssignor.class.getName();
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            createTopic(node, "events", PARTITIONS);
            OwnershipLedger ownership = new OwnershipLedger();
            Set<String> consumed = GroupMemberThread.newValueSet();
            Properties properties = ClassicMembers.properties(node.bootstrapServers(), "workers",
                    Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignorClass));
            List<String> produced = new ArrayList<>(produce(node, "events", "first", 300));
            List<GroupMemberThread> members = new ArrayList<>();
            ChildGroupMember child = null;
            try {
                for (int index = 1; index <= 3; index++) {
                    members.add(GroupMemberThread.subscribing("m" + index, properties, "events", ownership, consumed)
                            .committingWith(ClassicMembers::commit).start());
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(ownership.ownedPartitions()).isEqualTo(allPartitions());
                    assertThat(ownership.owners()).containsExactlyInAnyOrder("m1", "m2", "m3");
                    assertThat(consumed).containsAll(produced);
                });

                // A fourth member joins (in a child JVM, so it can be killed later).
                child = ChildGroupMember.start(node.bootstrapServers(), "workers", "events", "classic", 1_000,
                        childEvents("child", ownership, consumed));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(ownership.owners()).containsExactlyInAnyOrder("m1", "m2", "m3", "child");
                    assertThat(ownership.ownedPartitions()).isEqualTo(allPartitions());
                });
                produced.addAll(produce(node, "events", "second", 300));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(consumed).containsAll(produced));

                // One leaves cleanly.
                members.remove(0).close();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(ownership.owners()).containsExactlyInAnyOrder("m2", "m3", "child");
                    assertThat(ownership.ownedPartitions()).isEqualTo(allPartitions());
                });

                // One dies without leaving: its partitions move once its one-second session expires.
                assertThat(ownership.ownedBy("child")).isNotEmpty();
                child.kill();
                ownership.releaseAll("child");
                child = null;
                produced.addAll(produce(node, "events", "third", 300));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(ownership.owners()).containsExactlyInAnyOrder("m2", "m3");
                    assertThat(ownership.ownedPartitions()).isEqualTo(allPartitions());
                    assertThat(consumed).containsAll(produced);
                });
                assertThat(ownership.violations()).isEmpty();
                for (GroupMemberThread member : members) {
                    assertThat(member.failure()).isNull();
                }
            } finally {
                if (child != null) {
                    child.kill();
                }
                for (GroupMemberThread member : members) {
                    member.close();
                }
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(FjordTestNode node, String groupId,
            Map<String, Object> extra) {
        return new KafkaConsumer<>(ClassicMembers.properties(node.bootstrapServers(), groupId, extra));
    }

    /** Polls until {@code count} records arrived (or fails after 30 s). */
    private static List<ConsumerRecord<String, String>> pollFor(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (records.size() < count) {
            assertThat(System.nanoTime()).as("%d of %d records in time", records.size(), count).isLessThan(deadline);
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }

    @Test
    void committedOffsetsSurviveARestartAndANewMemberResumesFromThem() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            createTopic(node, "ledger", PARTITIONS);
            produce(node, "ledger", "before", 60);
            try (KafkaConsumer<String, String> consumer = consumer(node, "auditors", Map.of())) {
                consumer.subscribe(List.of("ledger"));
                assertThat(pollFor(consumer, 60)).hasSize(60);
                consumer.commitSync();
                committed = consumer.committed(new HashSet<>(consumer.assignment()));
            }
            assertThat(committed).hasSize(PARTITIONS).allSatisfy((partition, offset) ->
                    assertThat(offset.offset()).isEqualTo(10));
        }
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            produce(node, "ledger", "after", 30);
            try (KafkaConsumer<String, String> consumer = consumer(node, "auditors", Map.of())) {
                assertThat(consumer.committed(committed.keySet())).isEqualTo(committed);
                consumer.subscribe(List.of("ledger"));
                List<ConsumerRecord<String, String>> records = pollFor(consumer, 30);
                assertThat(records).extracting(ConsumerRecord::value).allMatch(value -> value.startsWith("after-"))
                        .hasSize(30);
                assertThat(consumer.poll(Duration.ofMillis(300))).isEmpty();
            }
        }
    }

    @Test
    void autoOffsetResetEarliestLatestAndNoneWithoutACommit() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            createTopic(node, "resets", PARTITIONS);
            produce(node, "resets", "old", 12);
            try (KafkaConsumer<String, String> earliest = consumer(node, "from-earliest", Map.of())) {
                earliest.subscribe(List.of("resets"));
                assertThat(pollFor(earliest, 12)).extracting(ConsumerRecord::value)
                        .allMatch(value -> value.startsWith("old-"));
            }
            try (KafkaConsumer<String, String> latest = consumer(node, "from-latest",
                    Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"))) {
                latest.subscribe(List.of("resets"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    latest.poll(Duration.ofMillis(100));
                    return latest.assignment().size() == PARTITIONS
                            && latest.assignment().stream().allMatch(partition -> latest.position(partition) == 2);
                });
                produce(node, "resets", "new", 6);
                assertThat(pollFor(latest, 6)).extracting(ConsumerRecord::value)
                        .allMatch(value -> value.startsWith("new-"));
            }
            try (KafkaConsumer<String, String> none = consumer(node, "from-none",
                    Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
                none.subscribe(List.of("resets"));
                assertThatThrownBy(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (System.nanoTime() < deadline) {
                        none.poll(Duration.ofMillis(100));
                    }
                }).isInstanceOf(NoOffsetForPartitionException.class);
            }
        }
    }

    @Test
    void aStaticMemberRejoinsWithinItsSessionWithoutARebalance() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            createTopic(node, "statics", PARTITIONS);
            Map<String, Object> first = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "first",
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 20_000);
            Map<String, Object> second = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "second",
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 20_000);
            try (KafkaConsumer<String, String> stays = consumer(node, "statics", second)) {
                stays.subscribe(List.of("statics"));
                Set<TopicPartition> firstAssignment;
                int generation;
                try (KafkaConsumer<String, String> leaves = consumer(node, "statics", first)) {
                    leaves.subscribe(List.of("statics"));
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        leaves.poll(Duration.ofMillis(50));
                        stays.poll(Duration.ofMillis(50));
                        return leaves.assignment().size() + stays.assignment().size() == PARTITIONS
                                && !leaves.assignment().isEmpty() && !stays.assignment().isEmpty();
                    });
                    firstAssignment = Set.copyOf(leaves.assignment());
                    generation = leaves.groupMetadata().generationId();
                }
                // A static member's close does not leave the group (KIP-345): nothing moves until it comes back.
                try (KafkaConsumer<String, String> returns = consumer(node, "statics", first)) {
                    returns.subscribe(List.of("statics"));
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        returns.poll(Duration.ofMillis(50));
                        stays.poll(Duration.ofMillis(50));
                        return returns.assignment().equals(firstAssignment);
                    });
                    for (int round = 0; round < 10; round++) {
                        stays.poll(Duration.ofMillis(50));
                        returns.poll(Duration.ofMillis(50));
                    }
                    assertThat(stays.groupMetadata().generationId()).isEqualTo(generation);
                    assertThat(returns.groupMetadata().generationId()).isEqualTo(generation);
                    assertThat(stays.assignment()).hasSize(PARTITIONS - firstAssignment.size());
                }
            }
        }
    }

    @Test
    void clientsCannotProduceToTheOffsetsTopic() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            createTopic(node, "touch", 1);
            try (KafkaConsumer<String, String> consumer = consumer(node, "creator", Map.of())) {
                consumer.subscribe(List.of("touch"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(50));
                    return !consumer.assignment().isEmpty();
                });
            }
            try (Admin admin = node.admin()) {
                var description = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames()
                        .get(20, TimeUnit.SECONDS).get("__consumer_offsets");
                assertThat(description.isInternal()).isTrue();
                assertThat(description.partitions()).hasSize(5);
                var configs = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "__consumer_offsets")))
                        .all().get(20, TimeUnit.SECONDS).values().iterator().next();
                assertThat(configs.get("cleanup.policy").value()).isEqualTo("compact");
                assertThat(configs.get("compression.type").value()).isEqualTo("producer");
            }
            try (KafkaProducer<String, String> producer = producer(node)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("__consumer_offsets", 0, "k", "v"))
                        .get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidTopicException.class);
            }
        }
    }

    /**
     * Deleting {@code __consumer_offsets} under a running group: the coordinator resigns (NOT_COORDINATOR), the next
     * lookup creates the topic again, and the new coordinator knows neither the group nor its offsets. As on Kafka,
     * the member's next commit fails (GROUP_ID_NOT_FOUND, since OffsetCommit v9) and its heartbeat makes it rejoin.
     */
    @Test
    void aGroupFormsAgainWhenTheOffsetsTopicIsDeletedAndCreatedAgain() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, groupNodeConfig())) {
            createTopic(node, "phoenix", PARTITIONS);
            produce(node, "phoenix", "before", 60);
            try (KafkaConsumer<String, String> consumer = consumer(node, "survivors", Map.of())) {
                consumer.subscribe(List.of("phoenix"));
                assertThat(pollFor(consumer, 60)).hasSize(60);
                consumer.commitSync();
                UUID first = node.node().metadataCache().image().topic("__consumer_offsets").orElseThrow()
                        .topicId();
                try (Admin admin = node.admin()) {
                    admin.deleteTopics(List.of("__consumer_offsets")).all().get(20, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    try {
                        consumer.commitSync(Duration.ofSeconds(5));
                        return consumer.assignment().size() == PARTITIONS
                                && !consumer.committed(consumer.assignment()).isEmpty();
                    } catch (org.apache.kafka.common.KafkaException e) {
                        return false; // the group is gone with the topic; the member rejoins on its heartbeat
                    }
                });
                assertThat(node.node().metadataCache().image().topic("__consumer_offsets").orElseThrow().topicId())
                        .isNotEqualTo(first);
            }
        }
    }
}
