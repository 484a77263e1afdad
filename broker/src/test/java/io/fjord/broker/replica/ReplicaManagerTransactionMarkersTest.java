package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.replica.ReplicaManager.AppendOutcome;
import io.fjord.broker.replica.ReplicaManager.MarkerAppend;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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

/**
 * The replica manager's transaction markers (WriteTxnMarkers): appended as acks=all produces, answered only once the
 * followers' fetches move the high watermark past them (which is what moves the last stable offset), and Kafka's
 * errors per partition.
 */
class ReplicaManagerTransactionMarkersTest {
    private static final int LOCAL = 1;
    private static final UUID TOPIC_ID = new UUID(7, 7);
    private static final TopicPartition P0 = new TopicPartition("payments", 0);
    private static final long PRODUCER_ID = 4_000;
    private static final long TIMEOUT_MS = 5_000;

    @TempDir
    Path directory;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final List<TopicPartition> changed = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();
    private LogManager logManager;
    private ReplicaManager manager;
    private MetadataImage image = MetadataImage.EMPTY;

    @BeforeEach
    void start() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), clock);
        logManager.startup();
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of(
                "node.id", "1", "process.roles", "broker,controller"))), LOCAL);
        ReplicaFetching noFetching = new ReplicaFetching() {
            @Override
            public void addPartitions(Map<TopicPartition, InitialFetchState> partitions) {
            }

            @Override
            public void removePartitions(Set<TopicPartition> partitions) {
            }

            @Override
            public void close() {
            }
        };
        manager = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), LOCAL, logManager, configs,
                noFetching, (api, request) -> new CompletableFuture<>(), () -> 100L, clock, changed::add);
    }

    @AfterEach
    void stop() {
        manager.close();
        logManager.shutdown();
    }

    private static BrokerImage broker(int id) {
        return new BrokerImage(id, new UUID(0, id), 10L + id, List.of(), List.of(), null, false, false, 0, -1);
    }

    private void publish(PartitionImage partition) {
        TopicImage topic = new TopicImage("payments", TOPIC_ID, new TreeMap<>(Map.of(0, partition)));
        MetadataImage previous = image;
        image = new MetadataImage(image.offset() + 1, Map.of(1, broker(1), 2, broker(2), 3, broker(3)),
                Map.of("payments", topic), Map.of(TOPIC_ID, topic), Map.copyOf(topicConfigs), Map.of(), 0);
        manager.publish(previous, image);
    }

    private PartitionLog log() {
        return manager.log(P0).orElseThrow();
    }

    /** Appends a transactional batch of {@code records} records with acks=1; returns its outcome. */
    private AppendOutcome sendTransactional(short producerEpoch, int sequence, int records) {
        List<Record> list = new java.util.ArrayList<>();
        for (int index = 0; index < records; index++) {
            list.add(new Record(index, 1_000L, null, ByteBuffer.wrap(new byte[] {(byte) index}), List.of()));
        }
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                PRODUCER_ID, producerEpoch, sequence, true, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        return manager.appendRecords((short) 1, TIMEOUT_MS, List.of(new ReplicaManager.LeaderAppend(P0,
                RecordCodec.encode(spec, list)))).join().get(0);
    }

    private CompletableFuture<List<AppendOutcome>> end(TopicPartition topicPartition, short producerEpoch,
                                                       boolean commit, int coordinatorEpoch) {
        return manager.appendTransactionMarkers(TIMEOUT_MS, List.of(new MarkerAppend(topicPartition, PRODUCER_ID,
                producerEpoch, new TransactionMarker(commit, coordinatorEpoch))));
    }

    private void followerFetches(long fetchOffset) {
        assertThat(manager.recordFollowerFetch(2, 12, P0, fetchOffset, 0, clock.millis())).isTrue();
    }

    @Test
    void aMarkerIsAcknowledgedOnlyOnceTheFollowersFetchMovesTheHighWatermarkPastIt() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        assertThat(sendTransactional((short) 0, 0, 2).error()).isEqualTo(Errors.NONE);   // offsets 0-1
        followerFetches(2);
        assertThat(log().highWatermark()).isEqualTo(2);
        assertThat(log().lastStableOffset()).as("the open transaction holds it").isZero();

        CompletableFuture<List<AppendOutcome>> marker = end(P0, (short) 0, true, 3);  // offset 2
        assertThat(log().logEndOffset()).isEqualTo(3);
        assertThat(marker).as("acks=all: not before the followers have it").isNotDone();
        assertThat(log().lastStableOffset()).as("an unreplicated marker keeps the transaction unstable").isZero();

        changed.clear();
        followerFetches(3);
        assertThat(marker).isDone();
        assertThat(marker.join()).singleElement().satisfies(outcome -> {
            assertThat(outcome.error()).isEqualTo(Errors.NONE);
            assertThat(outcome.result().firstOffset()).isEqualTo(2);
        });
        assertThat(log().lastStableOffset()).isEqualTo(3);
        assertThat(changed).as("waiting fetches are woken, the last stable offset moved").contains(P0);
    }

    @Test
    void aMarkerNotReplicatedInTimeAnswersRequestTimedOut() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        sendTransactional((short) 0, 0, 1);
        CompletableFuture<List<AppendOutcome>> marker = end(P0, (short) 0, false, 0);
        manager.advanceClock(clock.advance(TIMEOUT_MS - 1));
        assertThat(marker).isNotDone();
        manager.advanceClock(clock.advance(2));
        assertThat(marker.join().get(0).error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
    }

    @Test
    void aWaitingMarkerAnswersNotLeaderWhenTheLeadershipMoves() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), LOCAL, 1, 1));
        sendTransactional((short) 0, 0, 1);
        CompletableFuture<List<AppendOutcome>> marker = end(P0, (short) 0, true, 0);
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 2, 2));
        assertThat(marker.join().get(0).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void aMarkerBelowTheMinimumIsrIsRefusedAsAnAcksAllProduce() {
        topicConfigs.put("payments", Map.of("min.insync.replicas", "2"));
        publish(new PartitionImage(0, List.of(1, 2), List.of(1), LOCAL, 1, 1));
        sendTransactional((short) 0, 0, 1);
        assertThat(end(P0, (short) 0, true, 0).join().get(0).error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(log().logEndOffset()).as("nothing appended").isEqualTo(1);
    }

    @Test
    void aFollowerAnswersNotLeaderAndAnUnhostedPartitionUnknown() {
        publish(new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 1, 1));
        assertThat(end(P0, (short) 0, true, 0).join().get(0).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(end(new TopicPartition("payments", 9), (short) 0, true, 0).join().get(0).error())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void staleProducerAndCoordinatorEpochsAreRefused() {
        publish(new PartitionImage(0, List.of(LOCAL), List.of(LOCAL), LOCAL, 1, 1));
        sendTransactional((short) 2, 0, 1);
        assertThat(end(P0, (short) 1, true, 5).join().get(0).error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(end(P0, (short) 2, false, 5).join().get(0).error()).isEqualTo(Errors.NONE);
        assertThat(end(P0, (short) 2, false, 4).join().get(0).error())
                .isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        assertThat(log().logEndOffset()).as("only the accepted marker appended").isEqualTo(2);
    }

    @Test
    void markersOfSeveralPartitionsAnswerInTheirOrder() {
        publish(new PartitionImage(0, List.of(LOCAL), List.of(LOCAL), LOCAL, 1, 1));
        sendTransactional((short) 0, 0, 1);
        TopicPartition unknown = new TopicPartition("other", 0);
        List<AppendOutcome> outcomes = manager.appendTransactionMarkers(TIMEOUT_MS, List.of(
                new MarkerAppend(unknown, PRODUCER_ID, (short) 0, new TransactionMarker(true, 0)),
                new MarkerAppend(P0, PRODUCER_ID, (short) 0, new TransactionMarker(true, 0)))).join();
        assertThat(outcomes).extracting(AppendOutcome::topicPartition).containsExactly(unknown, P0);
        assertThat(outcomes).extracting(AppendOutcome::error)
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.NONE);
        assertThat(log().lastStableOffset()).isEqualTo(2);
    }
}
