package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnsupportedAssignorException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-848 consumer groups ({@code group.protocol=consumer}) with the unmodified kafka-clients 4.4.0: members
 * sharing a topic's partitions as they join, leave and die, static membership, regex subscriptions, server-side
 * assignors, the Admin client's view, and commits surviving a restart.
 *
 * <p>The broker runs with short group timers ({@link #GROUP_SETTINGS}). With
 * {@code -Dfjord.it.external.bootstrap=HOST:PORT} every scenario except the restart runs against that broker instead:
 * that is how these tests were checked against Apache Kafka 4.4 (started with the same settings).
 */
class ConsumerGroupProtocolIT {
    static final Map<String, String> GROUP_SETTINGS = Map.of(
            "group.consumer.heartbeat.interval.ms", "500",
            "group.consumer.min.heartbeat.interval.ms", "500",
            "group.consumer.session.timeout.ms", "6000",
            "group.consumer.min.session.timeout.ms", "6000");
    private static final String EXTERNAL = System.getProperty("fjord.it.external.bootstrap", "");
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private FjordTestNode node;
    private String bootstrap;
    private final String suffix = Long.toHexString(System.nanoTime());
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        if (EXTERNAL.isEmpty()) {
            node = FjordTestNode.start(data, GROUP_SETTINGS);
            bootstrap = node.bootstrapServers();
        } else {
            bootstrap = EXTERNAL;
        }
    }

    @AfterEach
    void stop() throws Exception {
        closeAll();
        if (node != null) {
            node.close();
        }
    }

    private void closeAll() throws Exception {
        for (int index = closeables.size() - 1; index >= 0; index--) {
            closeables.get(index).close();
        }
        closeables.clear();
    }

    private Admin admin() {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        closeables.add(admin);
        return admin;
    }

    private String createTopic(String prefix, int partitions) throws Exception {
        String topic = prefix + "-" + suffix;
        admin().createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return topic;
    }

    private void produce(String topic, int from, int to) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new StringSerializer())) {
            for (int index = from; index < to; index++) {
                producer.send(new ProducerRecord<>(topic, "key-" + index, "value-" + index));
            }
            producer.flush();
        }
    }

    private Properties memberProperties(String groupId, Map<String, String> extra) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.putAll(extra);
        return properties;
    }

    private GroupMemberThread member(String name, String groupId, String topic, OwnershipLedger ledger,
            Set<String> values, Map<String, String> extra) {
        GroupMemberThread member = GroupMemberThread.subscribing(name, memberProperties(groupId, extra), topic,
                ledger, values).start();
        closeables.add(member);
        return member;
    }

    private static Set<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(index -> "value-" + index).collect(Collectors.toSet());
    }

    private static Set<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
    }

    private static void assertHealthy(OwnershipLedger ledger, GroupMemberThread... members) {
        assertThat(ledger.violations()).as("partitions given to a member while another still owned them").isEmpty();
        for (GroupMemberThread member : members) {
            assertThat(member.failure()).as("member %s failed", member.name()).isNull();
        }
    }

    /**
     * A member in a child JVM that the test kills without letting it leave. Its assignments are kept apart from the
     * ledger: they arrive through its output, after the fact.
     */
    private final class ChildMember implements AutoCloseable {
        private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        private final ChildGroupMember child;

        ChildMember(String groupId, String topic, Set<String> values) throws Exception {
            child = ChildGroupMember.start(bootstrap, groupId, topic, "consumer", 0, new ChildGroupMember.Events() {
                @Override
                public void assigned(Collection<TopicPartition> partitions) {
                    assigned.addAll(partitions);
                }

                @Override
                public void released(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }

                @Override
                public void record(String value) {
                    values.add(value);
                }
            });
            closeables.add(this);
        }

        Set<TopicPartition> assigned() {
            return new HashSet<>(assigned);
        }

        void kill() throws InterruptedException {
            child.kill();
        }

        @Override
        public void close() {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void membersShareThePartitionsAsTheyJoinLeaveAndDie() throws Exception {
        String topic = createTopic("shared", 6);
        String groupId = "shared-group-" + suffix;
        produce(topic, 0, 3000);
        OwnershipLedger ledger = new OwnershipLedger();
        Set<String> values = GroupMemberThread.newValueSet();
        GroupMemberThread first = member("first", groupId, topic, ledger, values, Map.of());
        GroupMemberThread second = member("second", groupId, topic, ledger, values, Map.of());
        GroupMemberThread third = member("third", groupId, topic, ledger, values, Map.of());
        Set<TopicPartition> all = partitions(topic, 6);
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(ledger.ownedPartitions()).isEqualTo(all);
            assertThat(List.of(first.owned(), second.owned(), third.owned())).allMatch(owned -> owned.size() == 2);
        });

        // A fourth member, in another JVM, joins and gets a share.
        ChildMember fourth = new ChildMember(groupId, topic, values);
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(fourth.assigned()).isNotEmpty();
            Set<TopicPartition> union = new HashSet<>(fourth.assigned());
            union.addAll(ledger.ownedPartitions());
            assertThat(union).isEqualTo(all);
            assertThat(first.owned().size() + second.owned().size() + third.owned().size()
                    + fourth.assigned().size()).isEqualTo(6);
        });

        // One leaves cleanly: its partitions move at once (no session timeout to wait for).
        first.close();
        await().atMost(SETTLE).untilAsserted(() -> {
            Set<TopicPartition> union = new HashSet<>(fourth.assigned());
            union.addAll(ledger.ownedPartitions());
            assertThat(union).isEqualTo(all);
        });

        // One dies without a word: after the session timeout its partitions go to the living.
        fourth.kill();
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(ledger.ownedPartitions()).isEqualTo(all);
            assertThat(second.owned()).isNotEmpty();
            assertThat(third.owned()).isNotEmpty();
        });

        produce(topic, 3000, 4500);
        await().atMost(SETTLE).untilAsserted(() -> assertThat(values).containsAll(values(0, 4500)));
        assertHealthy(ledger, first, second, third);

        // Every partition's committed offset reaches its end.
        Admin admin = admin();
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(all.stream().collect(Collectors.toMap(p -> p,
                p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        await().atMost(SETTLE).untilAsserted(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> committedOffsets = new HashMap<>();
            committed.forEach((partition, offset) -> committedOffsets.put(partition, offset.offset()));
            assertThat(committedOffsets).isEqualTo(ends);
        });
    }

    @Test
    void aStaticMemberRejoinsToItsOwnPartitionsWithoutDisturbingTheOthers() throws Exception {
        String topic = createTopic("static", 4);
        String groupId = "static-group-" + suffix;
        OwnershipLedger ledger = new OwnershipLedger();
        Set<String> values = GroupMemberThread.newValueSet();
        GroupMemberThread steady = member("steady", groupId, topic, ledger, values,
                Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "steady-instance"));
        GroupMemberThread bouncing = member("bouncing", groupId, topic, ledger, values,
                Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "bouncing-instance"));
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(steady.owned()).hasSize(2);
            assertThat(bouncing.owned()).hasSize(2);
        });
        Set<TopicPartition> bouncingPartitions = bouncing.owned();
        Set<TopicPartition> steadyPartitions = steady.owned();
        int steadyCallbacks = steady.rebalanceCallbacks();

        bouncing.close(); // a static member's leave keeps its place for the session timeout
        GroupMemberThread back = member("back", groupId, topic, ledger, values,
                Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "bouncing-instance"));
        await().atMost(SETTLE).untilAsserted(() -> assertThat(back.owned()).isEqualTo(bouncingPartitions));
        assertThat(steady.owned()).isEqualTo(steadyPartitions);
        assertThat(steady.rebalanceCallbacks()).as("the other member saw no rebalance").isEqualTo(steadyCallbacks);

        ConsumerGroupDescription description = admin().describeConsumerGroups(List.of(groupId)).all()
                .get(30, TimeUnit.SECONDS).get(groupId);
        assertThat(description.members()).extracting(member -> member.groupInstanceId().orElse(""))
                .containsExactlyInAnyOrder("steady-instance", "bouncing-instance");
        assertHealthy(ledger, steady, bouncing, back);
    }

    @Test
    void aRegexSubscriptionPicksUpTopicsCreatedLater() throws Exception {
        String prefix = "regex-" + suffix;
        createTopic(prefix + "-a", 2);
        OwnershipLedger ledger = new OwnershipLedger();
        Set<String> values = GroupMemberThread.newValueSet();
        String groupId = "regex-group-" + suffix;
        GroupMemberThread member = new GroupMemberThread("regex", memberProperties(groupId, Map.of()),
                (consumer, listener) -> consumer.subscribe(new SubscriptionPattern(prefix + "-.*"), listener),
                ledger, values).start();
        closeables.add(member);
        await().atMost(SETTLE).untilAsserted(() -> assertThat(member.owned()).hasSize(2));
        String secondTopic = createTopic(prefix + "-b", 3);
        produce(secondTopic, 0, 30);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(member.owned()).hasSize(5).containsAll(partitions(secondTopic, 3));
            assertThat(values).containsAll(values(0, 30));
        });
        assertHealthy(ledger, member);
    }

    @Test
    void theServerAssignorIsTheOneMembersAskFor() throws Exception {
        String left = createTopic("range-left", 3);
        String right = createTopic("range-right", 3);
        String groupId = "range-group-" + suffix;
        OwnershipLedger ledger = new OwnershipLedger();
        Set<String> values = GroupMemberThread.newValueSet();
        List<GroupMemberThread> members = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            GroupMemberThread member = new GroupMemberThread(name,
                    memberProperties(groupId, Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range")),
                    (consumer, listener) -> consumer.subscribe(List.of(left, right), listener), ledger, values)
                    .start();
            closeables.add(member);
            members.add(member);
        }
        // Range assigns each topic separately: one member gets partitions 0 and 1 of both, the other partition 2.
        await().atMost(SETTLE).untilAsserted(() -> {
            List<Set<Integer>> shapes = new ArrayList<>();
            for (GroupMemberThread member : members) {
                Set<TopicPartition> owned = member.owned();
                Set<Integer> ofLeft = owned.stream().filter(p -> p.topic().equals(left))
                        .map(TopicPartition::partition).collect(Collectors.toSet());
                Set<Integer> ofRight = owned.stream().filter(p -> p.topic().equals(right))
                        .map(TopicPartition::partition).collect(Collectors.toSet());
                assertThat(ofLeft).isEqualTo(ofRight);
                shapes.add(ofLeft);
            }
            assertThat(shapes).containsExactlyInAnyOrder(Set.of(0, 1), Set.of(2));
        });
        ConsumerGroupDescription description = admin().describeConsumerGroups(List.of(groupId)).all()
                .get(30, TimeUnit.SECONDS).get(groupId);
        assertThat(description.partitionAssignor()).isEqualTo("range");
        assertThat(description.type()).isEqualTo(GroupType.CONSUMER);
        assertHealthy(ledger, members.toArray(GroupMemberThread[]::new));

        // An assignor the broker does not have is refused.
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(memberProperties("bad-assignor-" + suffix,
                Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "no-such-assignor")), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(left));
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(UnsupportedAssignorException.class);
        }
    }

    /** One member of a new group on a new topic, once it has read the topic's {@code records} records. */
    private record Solo(String topic, String groupId, OwnershipLedger ledger, GroupMemberThread member) {
    }

    private Solo soloMemberThatReadEverything(String prefix, int partitions, int records) throws Exception {
        String topic = createTopic(prefix, partitions);
        String groupId = prefix + "-group-" + suffix;
        produce(topic, 0, records);
        OwnershipLedger ledger = new OwnershipLedger();
        Set<String> values = GroupMemberThread.newValueSet();
        GroupMemberThread member = member("solo", groupId, topic, ledger, values, Map.of());
        await().atMost(SETTLE).untilAsserted(() -> assertThat(values).containsAll(values(0, records)));
        return new Solo(topic, groupId, ledger, member);
    }

    private static void awaitEmpty(Admin admin, String groupId) {
        await().atMost(SETTLE).untilAsserted(() -> assertThat(admin.describeConsumerGroups(List.of(groupId)).all()
                .get(30, TimeUnit.SECONDS).get(groupId).groupState()).isEqualTo(GroupState.EMPTY));
    }

    @Test
    void theAdminClientListsDescribesAndDeletesConsumerGroups() throws Exception {
        Solo solo = soloMemberThatReadEverything("admin", 3, 300);
        String topic = solo.topic();
        String groupId = solo.groupId();
        OwnershipLedger ledger = solo.ledger();
        GroupMemberThread member = solo.member();
        Admin admin = admin();

        await().atMost(SETTLE).untilAsserted(() -> {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(groupId)).all()
                    .get(30, TimeUnit.SECONDS).get(groupId);
            assertThat(description.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(description.partitionAssignor()).isEqualTo("uniform");
            assertThat(description.members()).hasSize(1);
            MemberDescription only = description.members().iterator().next();
            assertThat(only.assignment().topicPartitions()).isEqualTo(partitions(topic, 3));
            assertThat(description.groupEpoch()).hasValueSatisfying(epoch -> assertThat(epoch).isPositive());
        });
        Collection<GroupListing> consumerGroups = admin.listGroups(ListGroupsOptions.forConsumerGroups()
                .withTypes(Set.of(GroupType.CONSUMER))).all().get(30, TimeUnit.SECONDS);
        assertThat(consumerGroups).extracting(GroupListing::groupId).contains(groupId);
        Collection<GroupListing> classicGroups = admin.listGroups(ListGroupsOptions.forConsumerGroups()
                .withTypes(Set.of(GroupType.CLASSIC))).all().get(30, TimeUnit.SECONDS);
        assertThat(classicGroups).extracting(GroupListing::groupId).doesNotContain(groupId);

        assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);
        member.close();
        awaitEmpty(admin, groupId);
        admin.deleteConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS);
        Collection<GroupListing> after = admin.listGroups().all().get(30, TimeUnit.SECONDS);
        assertThat(after).extracting(GroupListing::groupId).doesNotContain(groupId);
        assertHealthy(ledger, member);
    }

    /**
     * The classic-group APIs meet a consumer group as on Kafka: DescribeGroups does not know it, OffsetCommit without
     * a member is refused while it has members and accepted once it is empty, OffsetDelete refuses a subscribed
     * topic. (Added with the wiring, after the Kafka run of the other tests.)
     */
    @Test
    void classicGroupApisTreatAConsumerGroupAsKafkaDoes() throws Exception {
        Solo solo = soloMemberThatReadEverything("classic-apis", 2, 20);
        String topic = solo.topic();
        String groupId = solo.groupId();
        Admin admin = admin();
        Map<TopicPartition, OffsetAndMetadata> rewind = Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(1));

        assertThatThrownBy(() -> admin.describeClassicGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.GroupIdNotFoundException.class);
        assertThatThrownBy(() -> admin.alterConsumerGroupOffsets(groupId, rewind).all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.UnknownMemberIdException.class);
        assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets(groupId, Set.of(new TopicPartition(topic, 1)))
                .all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.GroupSubscribedToTopicException.class);

        solo.member().close();
        awaitEmpty(admin, groupId);
        admin.alterConsumerGroupOffsets(groupId, rewind).all().get(30, TimeUnit.SECONDS);
        assertThat(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))
                .containsEntry(new TopicPartition(topic, 0), new OffsetAndMetadata(1));
        assertHealthy(solo.ledger(), solo.member());
    }

    @Test
    void commitsSurviveARestartAndANewMemberResumesFromThem() throws Exception {
        Assumptions.assumeTrue(EXTERNAL.isEmpty(), "restarts only a node this test started");
        String topic = createTopic("resume", 2);
        String groupId = "resume-group-" + suffix;
        produce(topic, 0, 200);
        Map<TopicPartition, OffsetAndMetadata> halfway = Map.of(
                new TopicPartition(topic, 0), new OffsetAndMetadata(40),
                new TopicPartition(topic, 1), new OffsetAndMetadata(30));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(memberProperties(groupId, Map.of()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(SETTLE).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
            consumer.commitSync(halfway);
        }
        closeAll();
        node.close();
        node = FjordTestNode.start(data, GROUP_SETTINGS);
        bootstrap = node.bootstrapServers();

        Map<TopicPartition, Long> firstOffsets = new ConcurrentHashMap<>();
        long total = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(memberProperties(groupId, Map.of()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (total < 130 && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> record : records) {
                    firstOffsets.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
                    total++;
                }
            }
        }
        assertThat(firstOffsets).containsEntry(new TopicPartition(topic, 0), 40L)
                .containsEntry(new TopicPartition(topic, 1), 30L);
        assertThat(total).as("records after the committed offsets").isEqualTo(200 - 40 - 30);
    }
}
