package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static members (KIP-345) of the classic protocol with unmodified kafka-clients consumers, on a node without an
 * initial rebalance delay: two members that subscribe at the same moment settle together in one generation, with
 * Kafka's member ids (the instance id, a dash and a UUID), long before either could be evicted.
 *
 * <p>With {@code group.initial.rebalance.delay.ms=0} a JoinGroup that arrives after the first generation formed starts
 * a second rebalance, on Kafka 4.4 as on Fjord (measured side by side; librdkafka's own static-group test now expects
 * an initial unbalanced assignment followed by a balanced one). So each member may see one or two assignments, never
 * more; the pure core's tests pin the deterministic part: joins pending within the initial delay share a generation.
 */
class StaticMembersIT {
    private static final int PARTITIONS = 4;
    private static final String GROUP = "together";
    private static final String TOPIC = "shared";

    @TempDir
    Path data;

    /** What one member saw: its assignments (listener calls), its generation and member id once assigned. */
    private record Seen(int assignments, int generationId, String memberId, Set<TopicPartition> assignment) {
    }

    @Test
    void twoStaticMembersSubscribingTogetherSettleInOneGenerationWithoutWaitingForAnEviction() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, ConsumerGroupIT.groupNodeConfig())) {
            ConsumerGroupIT.createTopic(node, TOPIC, PARTITIONS);
            CountDownLatch ready = new CountDownLatch(2);
            CountDownLatch subscribe = new CountDownLatch(1);
            CountDownLatch assigned = new CountDownLatch(2);
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                List<Future<Seen>> members = new ArrayList<>();
                for (String instance : List.of("static-a", "static-b")) {
                    members.add(threads.submit(() -> member(node, instance, ready, subscribe, assigned, stop)));
                }
                assertThat(ready.await(60, TimeUnit.SECONDS)).as("both members connected").isTrue();
                subscribe.countDown();
                assertThat(assigned.await(60, TimeUnit.SECONDS)).as("both members assigned").isTrue();
                try (Admin admin = node.admin()) {
                    // Settled: Stable with both members, each with its partitions.
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all()
                                .get(20, TimeUnit.SECONDS).get(GROUP);
                        assertThat(group.groupState()).isEqualTo(GroupState.STABLE);
                        assertThat(group.members()).hasSize(2).allSatisfy(member -> assertThat(
                                member.consumerId()).startsWith(member.groupInstanceId().orElseThrow() + "-"));
                        assertThat(group.members().stream().mapToInt(member -> member.assignment()
                                .topicPartitions().size()).sum()).isEqualTo(PARTITIONS);
                        assertThat(group.members()).extracting(MemberDescription::groupInstanceId)
                                .containsExactlyInAnyOrder(java.util.Optional.of("static-a"),
                                        java.util.Optional.of("static-b"));
                    });
                }
                stop.set(true);
                List<Seen> seen = new ArrayList<>();
                for (Future<Seen> member : members) {
                    seen.add(member.get(60, TimeUnit.SECONDS));
                }
                assertThat(seen).allSatisfy(member -> {
                    assertThat(member.assignments()).as("assignments seen by %s", member.memberId()).isBetween(1, 2);
                    assertThat(member.assignment()).hasSize(PARTITIONS / 2);
                });
                assertThat(seen.get(0).generationId()).isEqualTo(seen.get(1).generationId());
                assertThat(seen.get(0).memberId()).startsWith("static-a-");
                assertThat(seen.get(1).memberId()).startsWith("static-b-");
                Set<TopicPartition> all = new HashSet<>(seen.get(0).assignment());
                all.addAll(seen.get(1).assignment());
                assertThat(all).hasSize(PARTITIONS);
            } finally {
                stop.set(true);
                threads.shutdownNow();
                threads.awaitTermination(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * One member on its own thread: it connects to the coordinator first (a committed-offsets lookup), so that the
     * two members' JoinGroup requests leave together once {@code subscribe} opens; then polls until {@code stop}.
     */
    private static Seen member(FjordTestNode node, String instance, CountDownLatch ready, CountDownLatch subscribe,
            CountDownLatch assigned, AtomicBoolean stop) throws Exception {
        Map<String, Object> settings = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance,
                ConsumerConfig.CLIENT_ID_CONFIG, "client-of-" + instance,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 20_000,
                // Evictions would take this long; the test's bounds are far shorter, so none can be waited for.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(ClassicMembers.properties(
                node.bootstrapServers(), GROUP, settings))) {
            consumer.committed(Set.of(new TopicPartition(TOPIC, 0)), Duration.ofSeconds(30));
            ready.countDown();
            if (!subscribe.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("never told to subscribe");
            }
            AtomicInteger assignments = new AtomicInteger();
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (assignments.incrementAndGet() == 1) {
                        assigned.countDown();
                    }
                }
            });
            while (!stop.get()) {
                consumer.poll(Duration.ofMillis(50));
            }
            return new Seen(assignments.get(), consumer.groupMetadata().generationId(),
                    consumer.groupMetadata().memberId(), Set.copyOf(consumer.assignment()));
        }
    }
}
