package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica manager: acks, follower fetches moving high watermarks, and leadership changes from the metadata. */
class ReplicaManagerTest {
    private static final int LOCAL = 1;
    private static final UUID TOPIC_ID = new UUID(5, 5);
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final long TIMEOUT_MS = 5_000;

    /** Records the calls in order, with each partition's leadership at the moment of the call. */
    private final class RecordingFetching implements ReplicaFetching {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void addPartitions(Map<TopicPartition, InitialFetchState> partitions) {
            partitions.forEach((topicPartition, state) -> calls.add("add " + topicPartition + " " + state
                    + " leaderHere=" + leaderHere(topicPartition)));
        }

        @Override
        public void removePartitions(Set<TopicPartition> partitions) {
            partitions.forEach(topicPartition -> calls.add("remove " + topicPartition + " leaderHere="
                    + leaderHere(topicPartition)));
        }

        @Override
        public void close() {
        }
    }

    @TempDir
    Path directory;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final RecordingFetching fetching = new RecordingFetching();
    private final List<AlterPartitionRequestData> alterPartitions = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<ApiMessage>> alterPartitionAnswers = new CopyOnWriteArrayList<>();
    private final List<TopicPartition> changed = new CopyOnWriteArrayList<>();
    /** At each change announced, the log end offset of each partition hosted here. */
    private final List<Map<TopicPartition, Long>> logEndsAtChange = new CopyOnWriteArrayList<>();
    private LogManager logManager;
    private ReplicaManager manager;
    private MetadataImage image = MetadataImage.EMPTY;
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();

    @BeforeEach
    void start() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), clock);
        logManager.startup();
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of(
                "node.id", "1", "process.roles", "broker,controller"))), LOCAL);
        manager = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), LOCAL, logManager, configs, fetching,
                (api, request) -> {
                    CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
                    alterPartitions.add((AlterPartitionRequestData) request);
                    alterPartitionAnswers.add(answer);
                    return answer;
                }, () -> 100L, clock, topicPartition -> {
                    changed.add(topicPartition);
                    logEndsAtChange.add(logEnds());
                });
    }

    @AfterEach
    void stop() {
        manager.close();
        logManager.shutdown();
    }

    private Map<TopicPartition, Long> logEnds() {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (TopicPartition topicPartition : List.of(P0, P1)) {
            manager.log(topicPartition).ifPresent(log -> ends.put(topicPartition, log.logEndOffset()));
        }
        return ends;
    }

    private boolean leaderHere(TopicPartition topicPartition) {
        return manager.partition(topicPartition).map(Partition::isLeader).orElse(false);
    }

    private static BrokerImage broker(int id) {
        return new BrokerImage(id, new UUID(0, id), 10L + id, List.of(), List.of(), null, false, false, 0, -1);
    }

    /** Publishes an image with brokers 1-3 and topic "orders" with the given partitions. */
    private void publish(PartitionImage... partitions) {
        TreeMap<Integer, PartitionImage> byId = new TreeMap<>();
        for (PartitionImage partition : partitions) {
            byId.put(partition.partitionId(), partition);
        }
        Map<String, TopicImage> topics = partitions.length == 0 ? Map.of()
                : Map.of("orders", new TopicImage("orders", TOPIC_ID, byId));
        Map<UUID, TopicImage> topicsById = new HashMap<>();
        topics.values().forEach(topic -> topicsById.put(topic.topicId(), topic));
        MetadataImage previous = image;
        image = new MetadataImage(image.offset() + 1, Map.of(1, broker(1), 2, broker(2), 3, broker(3)), topics,
                topicsById, Map.copyOf(topicConfigs), Map.of(), 0);
        manager.publish(previous, image);
    }

    private static ReplicaManager.LeaderAppend append(TopicPartition topicPartition, int records) {
        return new ReplicaManager.LeaderAppend(topicPartition, PartitionTest.batch(records));
    }

    private CompletableFuture<List<ReplicaManager.AppendOutcome>> produce(short acks, TopicPartition topicPartition,
                                                                          int records) {
        return manager.appendRecords(acks, TIMEOUT_MS, List.of(append(topicPartition, records)));
    }

    @Test
    void acksAllOnALeaderAloneAnswersAtOnce() {
        publish(new PartitionImage(0, List.of(LOCAL), List.of(LOCAL), LOCAL, 0, 0));
        List<ReplicaManager.AppendOutcome> outcomes = produce((short) -1, P0, 3).join();
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.error()).isEqualTo(Errors.NONE);
            assertThat(outcome.result().firstOffset()).isZero();
        });
        assertThat(manager.log(P0).orElseThrow().highWatermark()).isEqualTo(3);
        assertThat(changed).contains(P0);
    }

    @Test
    void waitingFetchesAreWokenOnceEveryPartitionOfTheProduceIsAppended() {
        // Kafka completes delayed fetches after the whole request: a follower waiting on both partitions then gets
        // both batches in one response rather than one batch a round trip.
        publish(new PartitionImage(0, List.of(1, 2, 3), List.of(1, 2, 3), LOCAL, 1, 1),
                new PartitionImage(1, List.of(1, 2, 3), List.of(1, 2, 3), LOCAL, 1, 1));
        changed.clear();
        logEndsAtChange.clear();

        List<ReplicaManager.AppendOutcome> outcomes = manager.appendRecords((short) 1, TIMEOUT_MS,
                List.of(append(P0, 2), append(P1, 3))).join();

        assertThat(outcomes).extracting(ReplicaManager.AppendOutcome::error).containsOnly(Errors.NONE);
        assertThat(changed).containsExactly(P0, P1);
        assertThat(logEndsAtChange).as("every wake-up comes after both appends")
                .allSatisfy(ends -> assertThat(ends).containsEntry(P0, 2L).containsEntry(P1, 3L));
    }

    @Test
    void acksAllWaitsUntilAFollowerFetchMovesTheHighWatermarkPastTheBatch() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        CompletableFuture<List<ReplicaManager.AppendOutcome>> acksAll = produce((short) -1, P0, 2);
        List<ReplicaManager.AppendOutcome> acksOne = produce((short) 1, P0, 1).join();
        assertThat(acksOne.get(0).result().firstOffset()).as("acks=1 answers after the local append").isEqualTo(2);
        assertThat(acksAll).isNotDone();

        manager.recordFollowerFetch(2, 12, P0, 1, 0, clock.millis());
        assertThat(acksAll).as("the follower has only the first record").isNotDone();
        manager.recordFollowerFetch(2, 12, P0, 2, 0, clock.millis());
        assertThat(acksAll).isDone();
        assertThat(acksAll.join().get(0).error()).isEqualTo(Errors.NONE);
        assertThat(acksAll.join().get(0).result().firstOffset()).isZero();
    }

    @Test
    void acksAllAnswersRequestTimedOutWhenTheIsrDoesNotCatchUp() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        CompletableFuture<List<ReplicaManager.AppendOutcome>> acksAll = produce((short) -1, P0, 2);
        manager.advanceClock(clock.advance(TIMEOUT_MS - 1));
        assertThat(acksAll).isNotDone();
        manager.advanceClock(clock.advance(2));
        assertThat(acksAll.join().get(0).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
        assertThat(manager.log(P0).orElseThrow().logEndOffset()).as("appended all the same").isEqualTo(2);
    }

    @Test
    void acksAllIsRefusedBelowTheTopicsMinimumIsr() {
        topicConfigs.put("orders", Map.of("min.insync.replicas", "2"));
        publish(new PartitionImage(0, List.of(1, 2), List.of(1), LOCAL, 1, 1));
        assertThat(produce((short) -1, P0, 1).join().get(0).error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(produce((short) 1, P0, 1).join().get(0).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void aProduceToAFollowerOrAnUnknownPartitionIsRefused() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 1, 1));
        assertThat(produce((short) 1, P0, 1).join().get(0).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(produce((short) 1, P1, 1).join().get(0).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void aWaitingProduceAnswersNotLeaderWhenTheLeadershipMoves() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        CompletableFuture<List<ReplicaManager.AppendOutcome>> acksAll = produce((short) -1, P0, 1);
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 2, 2));
        assertThat(acksAll.join().get(0).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void aCaughtUpFollowerIsProposedToTheControllerAndJoinsTheIsr() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1), LOCAL, 1, 1));
        produce((short) 1, P0, 2).join();
        manager.recordFollowerFetch(2, 12, P0, 2, 0, clock.millis());
        assertThat(alterPartitions).singleElement().satisfies(request -> {
            assertThat(request.brokerId()).isEqualTo(LOCAL);
            assertThat(request.topics().get(0).partitions().get(0).newIsrWithEpochs())
                    .extracting(AlterPartitionRequestData.BrokerState::brokerId).containsExactly(1, 2);
        });
        alterPartitionAnswers.get(0).complete(new AlterPartitionResponseData().setTopics(new ArrayList<>(List.of(
                new AlterPartitionResponseData.TopicData().setTopicId(TOPIC_ID).setPartitions(new ArrayList<>(
                        List.of(new AlterPartitionResponseData.PartitionData().setPartitionIndex(0).setLeaderId(1)
                                .setLeaderEpoch(1).setIsr(List.of(1, 2)).setPartitionEpoch(2))))))));
        assertThat(manager.partition(P0).orElseThrow().isrState()).isEqualTo(IsrState.committed(List.of(1, 2)));
    }

    @Test
    void aFollowerOfAnotherBrokerEpochIsNotProposed() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1), LOCAL, 1, 1));
        produce((short) 1, P0, 2).join();
        manager.recordFollowerFetch(2, 11, P0, 2, 0, clock.millis());
        assertThat(alterPartitions).as("the image says broker 2 is of epoch 12").isEmpty();
    }

    @Test
    void leadershipChangesCallTheFetchersInKafkasOrderAndRemovedReplicasLoseTheirLogs() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1),
                new PartitionImage(1, List.of(2, 1), List.of(2, 1), 2, 3, 3));
        assertThat(fetching.calls).containsExactly(
                "remove " + P0 + " leaderHere=false",
                "add " + P1 + " " + new InitialFetchState(TOPIC_ID, 2, 3, 0) + " leaderHere=false");
        assertThat(manager.partition(P0).orElseThrow().isLeader()).isTrue();
        assertThat(manager.partition(P1).orElseThrow().leaderId()).isEqualTo(2);

        fetching.calls.clear();
        produce((short) 1, P0, 4).join();
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 2, 2),
                new PartitionImage(1, List.of(2, 1), List.of(2, 1), LOCAL, 4, 4));
        assertThat(fetching.calls).containsExactly(
                "remove " + P1 + " leaderHere=false",
                "add " + P0 + " " + new InitialFetchState(TOPIC_ID, 2, 2, 4) + " leaderHere=false");
        assertThat(manager.partition(P1).orElseThrow().isLeader()).isTrue();

        fetching.calls.clear();
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 2, 2),
                new PartitionImage(1, List.of(2, 1), List.of(2, 1), LOCAL, 4, 4));
        assertThat(fetching.calls).as("nothing changed").isEmpty();

        publish(new PartitionImage(0, List.of(2, 3), List.of(2, 3), 2, 3, 3),
                new PartitionImage(1, List.of(2, 1), List.of(2, 1), LOCAL, 4, 4));
        assertThat(fetching.calls).containsExactly("remove " + P0 + " leaderHere=false");
        assertThat(manager.partition(P0)).isEmpty();
        assertThat(logManager.getLog(P0)).as("a replica removed from the replica set is deleted").isEmpty();

        fetching.calls.clear();
        publish();
        assertThat(fetching.calls).containsExactly("remove " + P0 + " leaderHere=false",
                "remove " + P1 + " leaderHere=true");
        assertThat(logManager.getLog(P1)).isEmpty();
    }

    /** A partition under reassignment (KIP-455): replicas, ISR, leader and epochs, then adding and removing. */
    private static PartitionImage reassigning(int partition, List<Integer> replicas, List<Integer> isr, int leader,
                                              int epoch, List<Integer> adding, List<Integer> removing) {
        return new PartitionImage(partition, replicas, isr, leader, epoch, epoch, removing, adding, (byte) 0,
                List.of(), List.of());
    }

    @Test
    void anAddedReplicaFollowsFromAnEmptyLogAndARemovedOneStopsAndLosesItsLog() {
        publish(reassigning(0, List.of(2, LOCAL, 3), List.of(2, 3), 2, 5, List.of(LOCAL), List.of(3)),
                reassigning(1, List.of(LOCAL, 3, 2), List.of(LOCAL, 2), LOCAL, 7, List.of(3), List.of()));

        assertThat(fetching.calls).contains("add " + P0 + " " + new InitialFetchState(TOPIC_ID, 2, 5, 0)
                + " leaderHere=false");
        assertThat(logManager.getLog(P0)).as("the adding replica starts empty").isPresent();
        assertThat(manager.partition(P1).orElseThrow().followerState(3))
                .as("the leader tracks the adding replica, so it can join the ISR once caught up").isPresent();

        fetching.calls.clear();
        // Completed: 3 left, and this node joined P0's ISR; the leader epoch rose with the removal.
        publish(new PartitionImage(0, List.of(2, LOCAL), List.of(2, LOCAL), 2, 6, 6),
                reassigning(1, List.of(LOCAL, 3, 2), List.of(LOCAL, 2), LOCAL, 7, List.of(3), List.of()));
        assertThat(fetching.calls).containsExactly("add " + P0 + " " + new InitialFetchState(TOPIC_ID, 2, 6, 0)
                + " leaderHere=false");

        fetching.calls.clear();
        // A reassignment that moves P0 off this node completes: the replica stops following and its log goes.
        publish(new PartitionImage(0, List.of(2, 3), List.of(2, 3), 2, 7, 7),
                reassigning(1, List.of(LOCAL, 3, 2), List.of(LOCAL, 2), LOCAL, 7, List.of(3), List.of()));
        assertThat(fetching.calls).containsExactly("remove " + P0 + " leaderHere=false");
        assertThat(manager.partition(P0)).isEmpty();
        assertThat(logManager.getLog(P0)).isEmpty();
    }

    @Test
    void aPartitionWithoutALeaderIsFetchedByNobody() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(2), 2, 1, 1));
        fetching.calls.clear();
        publish(new PartitionImage(0, List.of(1, 2), List.of(2), PartitionImage.NO_LEADER, 2, 2));
        assertThat(fetching.calls).containsExactly("remove " + P0 + " leaderHere=false");
    }

    @Test
    void theIsrExpiryProposesRemovingLaggingFollowers() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        produce((short) 1, P0, 1).join();
        manager.maybeShrinkIsrs(clock.advance(30_001));
        assertThat(alterPartitions).singleElement().satisfies(request -> assertThat(request.topics().get(0)
                .partitions().get(0).newIsrWithEpochs()).extracting(AlterPartitionRequestData.BrokerState::brokerId)
                .containsExactly(1));
    }
}
