package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.replica.AlterPartitionSender.IsrMember;
import io.fjord.broker.replica.AlterPartitionSender.Outcome;
import io.fjord.broker.replica.AlterPartitionSender.Proposal;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** AlterPartition's sender: batching, one request in flight, one proposal per partition, retries. */
class AlterPartitionManagerTest {
    private static final UUID TOPIC_ID = new UUID(3, 3);

    private record Sent(AlterPartitionRequestData request, CompletableFuture<ApiMessage> answer) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final AlterPartitionManager manager = new AlterPartitionManager(1, () -> 42L, (api, request) -> {
        assertThat(api).isEqualTo(ApiKey.ALTER_PARTITION);
        CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
        sent.add(new Sent((AlterPartitionRequestData) request, answer));
        return answer;
    }, (task, delayMs) -> {
        scheduled.add(task);
        delays.add(delayMs);
    }, 100);

    private static Proposal proposal(int partition, Integer... isr) {
        List<IsrMember> members = new ArrayList<>();
        for (int member : isr) {
            members.add(new IsrMember(member, 10L + member));
        }
        return new Proposal(TOPIC_ID, new TopicPartition("orders", partition), 4, members, (byte) 0, 9);
    }

    private static List<Integer> partitionsOf(AlterPartitionRequestData request) {
        return request.topics().stream().flatMap(topic -> topic.partitions().stream())
                .map(AlterPartitionRequestData.PartitionData::partitionIndex).toList();
    }

    private static AlterPartitionResponseData answer(Errors error, int... partitions) {
        AlterPartitionResponseData.TopicData topic = new AlterPartitionResponseData.TopicData().setTopicId(TOPIC_ID);
        for (int partition : partitions) {
            topic.partitions().add(new AlterPartitionResponseData.PartitionData().setPartitionIndex(partition)
                    .setErrorCode(error.code()).setLeaderId(1).setLeaderEpoch(4).setIsr(List.of(1, 2))
                    .setPartitionEpoch(10));
        }
        return new AlterPartitionResponseData().setTopics(new ArrayList<>(List.of(topic)));
    }

    @Test
    void theRequestCarriesTheIsrWithBrokerEpochsByTopicId() {
        manager.submit(proposal(0, 1, 2));
        AlterPartitionRequestData request = sent.get(0).request();
        assertThat(request.brokerId()).isEqualTo(1);
        assertThat(request.brokerEpoch()).isEqualTo(42);
        assertThat(request.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.topicId()).isEqualTo(TOPIC_ID);
            assertThat(topic.partitions()).singleElement().satisfies(partition -> {
                assertThat(partition.leaderEpoch()).isEqualTo(4);
                assertThat(partition.partitionEpoch()).isEqualTo(9);
                assertThat(partition.newIsrWithEpochs()).extracting(AlterPartitionRequestData.BrokerState::brokerId,
                        AlterPartitionRequestData.BrokerState::brokerEpoch)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 11L),
                                org.assertj.core.groups.Tuple.tuple(2, 12L));
            });
        });
    }

    @Test
    void oneRequestIsInFlightAndWhatArrivesMeanwhileGoesInTheNextBatch() {
        CompletableFuture<Outcome> first = manager.submit(proposal(0, 1, 2));
        CompletableFuture<Outcome> second = manager.submit(proposal(1, 1, 2));
        CompletableFuture<Outcome> third = manager.submit(proposal(2, 1));
        assertThat(sent).hasSize(1);
        assertThat(manager.submit(proposal(1, 1)).join().error()).as("one proposal per partition")
                .isEqualTo(Errors.OPERATION_NOT_ATTEMPTED);

        sent.get(0).answer().complete(answer(Errors.NONE, 0));
        assertThat(first.join()).isEqualTo(new Outcome(Errors.NONE, 1, 4, List.of(1, 2), (byte) 0, 10));
        assertThat(sent).hasSize(2);
        assertThat(partitionsOf(sent.get(1).request())).containsExactly(1, 2);
        assertThat(second).isNotDone();

        sent.get(1).answer().complete(answer(Errors.FENCED_LEADER_EPOCH, 1, 2));
        assertThat(second.join().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(third.join().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(manager.unansweredCount()).isZero();
        assertThat(scheduled).isEmpty();
    }

    @Test
    void aTopLevelErrorOrAFailedSendIsRetriedAfterTheBackoff() {
        CompletableFuture<Outcome> outcome = manager.submit(proposal(0, 1, 2));
        sent.get(0).answer().complete(new AlterPartitionResponseData()
                .setErrorCode(Errors.NOT_CONTROLLER.code()));
        assertThat(outcome).isNotDone();
        assertThat(delays).containsExactly(100L);
        manager.submit(proposal(1, 1));
        assertThat(sent).as("nothing sent during the backoff").hasSize(1);

        scheduled.remove(0).run();
        assertThat(sent).hasSize(2);
        assertThat(partitionsOf(sent.get(1).request())).containsExactly(0, 1);
        sent.get(1).answer().completeExceptionally(new IllegalStateException("connection lost"));
        assertThat(scheduled).hasSize(1);

        scheduled.remove(0).run();
        sent.get(2).answer().complete(answer(Errors.NONE, 0, 1));
        assertThat(outcome.join().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void aPartitionLeftOutOfTheAnswerIsSentAgain() {
        CompletableFuture<Outcome> answered = manager.submit(proposal(0, 1, 2));
        sent.get(0).answer().complete(answer(Errors.NONE));
        CompletableFuture<Outcome> other = manager.submit(proposal(1, 1, 2));
        assertThat(sent).hasSize(1);
        scheduled.remove(0).run();
        assertThat(partitionsOf(sent.get(1).request())).containsExactly(0, 1);
        sent.get(1).answer().complete(answer(Errors.NONE, 1, 0));
        assertThat(answered.join().error()).isEqualTo(Errors.NONE);
        assertThat(other.join().error()).isEqualTo(Errors.NONE);
    }
}
