package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import io.fjord.protocol.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import io.fjord.protocol.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import io.fjord.protocol.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The split of a group request's topics into the partitions that exist and the refused ones (UNKNOWN_TOPIC_ID for an
 * unknown id, UNKNOWN_TOPIC_OR_PARTITION otherwise), as OffsetCommit, TxnOffsetCommit and OffsetDelete do it.
 */
class KnownPartitionsTest {
    private static final UUID ORDERS_ID = UUID.randomUUID();
    private static final TopicImage ORDERS = new TopicImage("orders", ORDERS_ID, new TreeMap<>(Map.of(
            0, new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0),
            1, new PartitionImage(1, List.of(1), List.of(1), 1, 0, 0))));
    private static final KnownPartitions<TxnOffsetCommitRequestTopic, TxnOffsetCommitRequestPartition,
            TxnOffsetCommitResponseTopic> PARTITIONS = new KnownPartitions<>(TxnOffsetCommitRequestTopic::partitions,
                    TxnOffsetCommitRequestPartition::partitionIndex,
                    (topic, partitions) -> new TxnOffsetCommitRequestTopic().setName(topic.name())
                            .setTopicId(topic.topicId()).setPartitions(partitions),
                    (topic, refusals) -> new TxnOffsetCommitResponseTopic().setName(topic.name())
                            .setTopicId(topic.topicId()).setPartitions(KnownPartitions.answers(refusals,
                                    refusal -> new TxnOffsetCommitResponsePartition()
                                            .setPartitionIndex(refusal.partitionIndex())
                                            .setErrorCode(refusal.error().code()))));

    private static TxnOffsetCommitRequestTopic topic(String name, UUID id, int... partitions) {
        TxnOffsetCommitRequestTopic topic = new TxnOffsetCommitRequestTopic().setName(name).setTopicId(id);
        for (int partition : partitions) {
            topic.partitions().add(new TxnOffsetCommitRequestPartition().setPartitionIndex(partition)
                    .setCommittedOffset(partition * 10L));
        }
        return topic;
    }

    private static Function<TxnOffsetCommitRequestTopic, Optional<TopicImage>> lookup(boolean byId) {
        return topic -> (byId ? ORDERS_ID.equals(topic.topicId()) : "orders".equals(topic.name()))
                ? Optional.of(ORDERS) : Optional.empty();
    }

    private static List<String> refusals(List<TxnOffsetCommitResponseTopic> refused) {
        List<String> described = new ArrayList<>();
        refused.forEach(topic -> topic.partitions().forEach(partition -> described.add(topic.name() + "-"
                + partition.partitionIndex() + ":" + Errors.forCode(partition.errorCode()))));
        return described;
    }

    @Test
    void byNameUnknownTopicsAndPartitionsAreRefusedAndTheRestKept() {
        KnownPartitions.Split<TxnOffsetCommitRequestTopic, TxnOffsetCommitResponseTopic> split = PARTITIONS.split(
                List.of(topic("orders", null, 0, 5, 1), topic("gone", null, 0)), lookup(false), false);

        assertThat(split.onlyRefused()).isFalse();
        assertThat(split.kept()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("orders");
            assertThat(topic.partitions()).extracting(TxnOffsetCommitRequestPartition::partitionIndex)
                    .containsExactly(0, 1);
            assertThat(topic.partitions().get(1).committedOffset()).isEqualTo(10L);
        });
        assertThat(refusals(split.refused())).containsExactly("orders-5:UNKNOWN_TOPIC_OR_PARTITION",
                "gone-0:UNKNOWN_TOPIC_OR_PARTITION");
        split.refused().get(0).partitions().add(new TxnOffsetCommitResponsePartition()); // answers may still grow
    }

    @Test
    void byIdAnUnknownTopicIsUnknownTopicIdAndAnUnknownPartitionStaysUnknownTopicOrPartition() {
        UUID unknown = UUID.randomUUID();
        KnownPartitions.Split<TxnOffsetCommitRequestTopic, TxnOffsetCommitResponseTopic> split = PARTITIONS.split(
                List.of(topic("", unknown, 0), topic("", ORDERS_ID, 2)), lookup(true), true);

        assertThat(split.onlyRefused()).isTrue();
        assertThat(split.kept()).isEmpty();
        assertThat(split.refused()).extracting(TxnOffsetCommitResponseTopic::topicId)
                .containsExactly(unknown, ORDERS_ID);
        assertThat(refusals(split.refused())).containsExactly("-0:UNKNOWN_TOPIC_ID",
                "-2:UNKNOWN_TOPIC_OR_PARTITION");
    }

    @Test
    void nothingRefusedIsNotOnlyRefused() {
        assertThat(PARTITIONS.split(List.of(), lookup(false), false).onlyRefused()).isFalse();
        assertThat(PARTITIONS.split(List.of(topic("orders", null, 1)), lookup(false), false).refused()).isEmpty();
    }
}
