package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Admin client's consumer-group operations against a Fjord node: list, describe, alter, list and delete offsets,
 * delete groups, with Kafka's errors for a group that still has members.
 */
class ConsumerGroupAdminIT {
    private static final String TOPIC = "reports";

    @TempDir
    Path data;

    private static TopicPartition partition(int index) {
        return new TopicPartition(TOPIC, index);
    }

    private static Set<String> groupIds(Admin admin) throws Exception {
        Set<String> ids = new java.util.TreeSet<>();
        for (GroupListing listing : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
                .get(20, TimeUnit.SECONDS)) {
            ids.add(listing.groupId());
        }
        return ids;
    }

    private static Throwable cause(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return e.getCause() instanceof ExecutionException execution ? execution.getCause() : e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void adminListsDescribesAltersAndDeletesGroupsAndOffsets() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, ConsumerGroupIT.groupNodeConfig());
             Admin admin = node.admin()) {
            ConsumerGroupIT.createTopic(node, TOPIC, 3);
            List<String> produced = ConsumerGroupIT.produce(node, TOPIC, "r", 30);
            try (KafkaConsumer<String, String> member = new KafkaConsumer<>(ClassicMembers.properties(
                    node.bootstrapServers(), "reporting", Map.of()))) {
                member.subscribe(List.of(TOPIC));
                List<String> consumed = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    member.poll(Duration.ofMillis(100)).forEach(record -> consumed.add(record.value()));
                    return consumed.size() >= produced.size();
                });
                member.commitSync();

                // A simple group: offsets set by an admin, without members.
                admin.alterConsumerGroupOffsets("manual", Map.of(partition(0), new OffsetAndMetadata(5),
                        partition(1), new OffsetAndMetadata(7, "note"))).all().get(20, TimeUnit.SECONDS);
                assertThat(admin.listConsumerGroupOffsets("manual").partitionsToOffsetAndMetadata()
                        .get(20, TimeUnit.SECONDS)).containsOnly(
                                Map.entry(partition(0), new OffsetAndMetadata(5)),
                                Map.entry(partition(1), new OffsetAndMetadata(7, "note")));

                assertThat(groupIds(admin)).contains("reporting", "manual");
                Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(
                        List.of("reporting", "manual")).all().get(20, TimeUnit.SECONDS);
                ConsumerGroupDescription reporting = described.get("reporting");
                assertThat(reporting.groupState()).isEqualTo(GroupState.STABLE);
                assertThat(reporting.type()).isEqualTo(GroupType.CLASSIC);
                assertThat(reporting.partitionAssignor()).isEqualTo("range");
                assertThat(reporting.members()).hasSize(1);
                MemberDescription only = reporting.members().iterator().next();
                assertThat(only.host()).isEqualTo("/127.0.0.1");
                assertThat(only.assignment().topicPartitions()).containsExactlyInAnyOrder(partition(0), partition(1),
                        partition(2));
                assertThat(described.get("manual").groupState()).isEqualTo(GroupState.EMPTY);
                assertThat(described.get("manual").members()).isEmpty();
                // The consumer commits with the leader epoch of the records it read (0 here).
                assertThat(admin.listConsumerGroupOffsets("reporting").partitionsToOffsetAndMetadata()
                        .get(20, TimeUnit.SECONDS)).containsOnly(
                                Map.entry(partition(0), new OffsetAndMetadata(10, Optional.of(0), "")),
                                Map.entry(partition(1), new OffsetAndMetadata(10, Optional.of(0), "")),
                                Map.entry(partition(2), new OffsetAndMetadata(10, Optional.of(0), "")));

                // A group with members refuses what would pull offsets from under them, as Kafka does.
                assertThat(cause(() -> join(admin.alterConsumerGroupOffsets("reporting",
                        Map.of(partition(0), new OffsetAndMetadata(0))).all())))
                        .isInstanceOf(UnknownMemberIdException.class);
                assertThat(cause(() -> join(admin.deleteConsumerGroupOffsets("reporting", Set.of(partition(0)))
                        .all()))).isInstanceOf(GroupSubscribedToTopicException.class);
                assertThat(cause(() -> join(admin.deleteConsumerGroups(List.of("reporting")).all())))
                        .isInstanceOf(GroupNotEmptyException.class);
            }

            admin.deleteConsumerGroupOffsets("manual", Set.of(partition(0))).all().get(20, TimeUnit.SECONDS);
            assertThat(admin.listConsumerGroupOffsets("manual").partitionsToOffsetAndMetadata()
                    .get(20, TimeUnit.SECONDS)).containsOnlyKeys(partition(1));

            admin.deleteConsumerGroups(List.of("reporting", "manual")).all().get(20, TimeUnit.SECONDS);
            assertThat(groupIds(admin)).doesNotContain("reporting", "manual");
            assertThat(cause(() -> join(admin.deleteConsumerGroups(List.of("reporting")).all())))
                    .isInstanceOf(GroupIdNotFoundException.class);
            assertThat(admin.listConsumerGroupOffsets("reporting").partitionsToOffsetAndMetadata()
                    .get(20, TimeUnit.SECONDS)).isEmpty();
        }
    }

    private static <T> T join(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
