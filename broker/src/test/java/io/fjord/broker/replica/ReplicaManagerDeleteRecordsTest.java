package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.replica.ReplicaManager.DeleteRecordsOutcome;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeleteRecords through the replica manager (Kafka's DelayedDeleteRecords): the leader moves its log start offset at
 * once and answers when every live follower's log start offset (from its fetches) has reached the requested offset.
 */
class ReplicaManagerDeleteRecordsTest {
    private static final int LOCAL = 1;
    private static final UUID TOPIC_ID = new UUID(5, 5);
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final long TIMEOUT_MS = 5_000;

    /** Followers' fetchers are not under test here. */
    private static final class IgnoringFetchers implements ReplicaFetching {
        @Override
        public void addPartitions(Map<TopicPartition, InitialFetchState> partitions) {
        }

        @Override
        public void removePartitions(Set<TopicPartition> partitions) {
        }

        @Override
        public void close() {
        }
    }

    @TempDir
    Path directory;
    private final ManualClock clock = new ManualClock(1_000_000);
    private LogManager logManager;
    private ReplicaManager manager;
    private MetadataImage image = MetadataImage.EMPTY;
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();
    private final Set<Integer> fenced = new HashSet<>();

    @BeforeEach
    void start() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), clock);
        logManager.startup();
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of(
                "node.id", "1", "process.roles", "broker,controller"))), LOCAL);
        manager = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), LOCAL, logManager, configs,
                new IgnoringFetchers(), (api, request) -> new CompletableFuture<ApiMessage>(), () -> 100L, clock,
                topicPartition -> { });
    }

    @AfterEach
    void stop() {
        manager.close();
        logManager.shutdown();
    }

    private BrokerImage broker(int id) {
        return new BrokerImage(id, new UUID(0, id), 10L + id, List.of(), List.of(), null, fenced.contains(id), false,
                0, -1);
    }

    private void publish(PartitionImage partition) {
        TopicImage topic = new TopicImage("orders", TOPIC_ID, new TreeMap<>(Map.of(0, partition)));
        MetadataImage previous = image;
        image = new MetadataImage(image.offset() + 1, Map.of(1, broker(1), 2, broker(2), 3, broker(3)),
                Map.of("orders", topic), Map.of(TOPIC_ID, topic), Map.copyOf(topicConfigs), Map.of(), 0);
        manager.publish(previous, image);
    }

    private void produce(int records) {
        manager.appendRecords((short) 1, TIMEOUT_MS, List.of(new ReplicaManager.LeaderAppend(P0,
                PartitionTest.batch(records)))).join();
    }

    private CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> delete(long offset) {
        return manager.deleteRecords(TIMEOUT_MS, Map.of(P0, offset));
    }

    /** RF 3 led here, 5 records every follower has (high watermark 5), log starts at 0 everywhere. */
    private void replicatedFiveRecords() {
        publish(new PartitionImage(0, List.of(1, 2, 3), List.of(1, 2, 3), LOCAL, 1, 1));
        produce(5);
        manager.recordFollowerFetch(2, 12, P0, 5, 0, clock.millis());
        manager.recordFollowerFetch(3, 13, P0, 5, 0, clock.millis());
        assertThat(manager.log(P0).orElseThrow().highWatermark()).isEqualTo(5);
    }

    @Test
    void aLeaderAloneAnswersAtOnceWithItsNewLogStart() {
        publish(new PartitionImage(0, List.of(LOCAL), List.of(LOCAL), LOCAL, 0, 0));
        produce(4);
        assertThat(delete(3).join()).containsEntry(P0, new DeleteRecordsOutcome(Errors.NONE, 3));
        assertThat(delete(-1).join()).as("-1: the high watermark").containsEntry(P0,
                new DeleteRecordsOutcome(Errors.NONE, 4));
        assertThat(manager.log(P0).orElseThrow().logStartOffset()).isEqualTo(4);
    }

    @Test
    void theAnswerWaitsUntilEveryFollowersLogStartReachesTheOffset() {
        replicatedFiveRecords();
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleted = delete(3);
        assertThat(manager.log(P0).orElseThrow().logStartOffset()).as("the leader's at once").isEqualTo(3);
        assertThat(deleted).isNotDone();

        manager.recordFollowerFetch(2, 12, P0, 5, 3, clock.millis());
        assertThat(deleted).as("follower 3 still starts at 0").isNotDone();
        manager.recordFollowerFetch(3, 13, P0, 5, 3, clock.millis());
        assertThat(deleted.join()).containsEntry(P0, new DeleteRecordsOutcome(Errors.NONE, 3));
    }

    @Test
    void aPartitionStillWaitingAtTheTimeoutAnswersRequestTimedOut() {
        replicatedFiveRecords();
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleted = delete(2);
        manager.advanceClock(clock.advance(TIMEOUT_MS - 1));
        assertThat(deleted).isNotDone();
        manager.advanceClock(clock.advance(2));
        assertThat(deleted.join()).containsEntry(P0, new DeleteRecordsOutcome(Errors.REQUEST_TIMED_OUT, 0));
    }

    @Test
    void aFencedFollowerDoesNotHoldTheLowWatermarkBack() {
        fenced.add(3);
        replicatedFiveRecords();
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleted = delete(4);
        manager.recordFollowerFetch(2, 12, P0, 5, 4, clock.millis());
        assertThat(deleted.join()).containsEntry(P0, new DeleteRecordsOutcome(Errors.NONE, 4));
    }

    @Test
    void aWaitingDeleteAnswersNotLeaderWhenTheLeadershipMoves() {
        replicatedFiveRecords();
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleted = delete(2);
        publish(new PartitionImage(0, List.of(1, 2, 3), List.of(1, 2, 3), 2, 2, 2));
        assertThat(deleted.join()).containsEntry(P0, new DeleteRecordsOutcome(Errors.NOT_LEADER_OR_FOLLOWER, -1));
    }

    @Test
    void refusalsCarryKafkasErrors() {
        topicConfigs.put("orders", Map.of("cleanup.policy", "compact"));
        publish(new PartitionImage(0, List.of(LOCAL), List.of(LOCAL), LOCAL, 0, 0));
        produce(2);
        assertThat(delete(1).join().get(P0).error()).isEqualTo(Errors.POLICY_VIOLATION);

        topicConfigs.put("orders", Map.of("cleanup.policy", "compact,delete"));
        publish(new PartitionImage(0, List.of(LOCAL), List.of(LOCAL), LOCAL, 0, 1));
        assertThat(delete(3).join().get(P0).error()).as("above the high watermark")
                .isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(delete(-2).join().get(P0).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(delete(2).join()).containsEntry(P0, new DeleteRecordsOutcome(Errors.NONE, 2));

        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 1, 2));
        assertThat(delete(2).join().get(P0).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(manager.deleteRecords(TIMEOUT_MS, Map.of(new TopicPartition("other", 0), 0L)).join())
                .containsEntry(new TopicPartition("other", 0), new DeleteRecordsOutcome(Errors.NOT_LEADER_OR_FOLLOWER,
                        -1));
    }
}
