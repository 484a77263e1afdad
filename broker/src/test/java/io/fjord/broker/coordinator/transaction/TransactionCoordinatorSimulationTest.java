package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.EndTxnResponseData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random runs of transactional producers (both transaction versions, on clusters at transaction.version 1
 * and 2, zombies reusing old epochs, KIP-360 recoveries) against one shard while time moves, markers complete late
 * and the sweeps run. After every step a
 * fresh shard replaying the records through their bytes holds the same durable state (the harness checks it), and:
 * a producer id's epoch never goes down; a transaction's partitions are kept until it completes; the markers named
 * are those of a preparing transaction at its epoch; markers reported partition by partition take each partition
 * out of what DescribeTransactions lists and complete the transaction with the last one. A failure names its seed
 * and step.
 */
class TransactionCoordinatorSimulationTest {
    private static final List<String> IDS = List.of("a", "b", "c");
    private static final List<String> TOPICS = List.of("x", "y");
    private static final int STEPS = 600;

    /** What one simulated producer believes. */
    private static final class Producer {
        long producerId = -1L;
        short epoch = -1;
        boolean transactionVersion2;
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 42L, 2024L, 77_777L})
    void replayedStateEqualsLiveStateAndEpochsNeverGoBack(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // Odd seeds run a cluster at transaction.version 1 (TV1 producers and fences), even ones at 2.
        short transactionVersionLevel = seed % 2 == 0 ? (short) 2 : (short) 1;
        TransactionCoordinatorConfig config = new TransactionCoordinatorConfig(60_000, 200_000L, 5_000L, 30_000L,
                transactionVersionLevel);
        TransactionHarness harness = new TransactionHarness(config, List.of());
        Map<String, Producer> producers = new HashMap<>();
        Map<Long, Short> highestEpoch = new HashMap<>();
        for (int step = 0; step < STEPS; step++) {
            String context = "seed " + seed + " step " + step;
            try {
                step(random, harness, producers, transactionVersionLevel);
            } catch (AssertionError | RuntimeException failure) {
                throw new AssertionError(context + ": " + failure.getMessage(), failure);
            }
            for (TransactionMetadata metadata : harness.shard.durableState().values()) {
                short previous = highestEpoch.getOrDefault(metadata.producerId(), (short) -1);
                assertThat(metadata.producerEpoch()).as(context + " epoch of " + metadata.producerId())
                        .isGreaterThanOrEqualTo(previous);
                highestEpoch.put(metadata.producerId(), metadata.producerEpoch());
                if (metadata.state() == TransactionState.EMPTY || metadata.state().isComplete()) {
                    assertThat(metadata.partitions()).as(context).isEmpty();
                }
            }
            for (TransactionMarkers markers : harness.last.markers()) {
                TransactionMetadata metadata = harness.metadata(markers.transactionalId());
                assertThat(metadata.state().isPreparing()).as(context).isTrue();
                assertThat(markers.producerEpoch()).as(context).isEqualTo(metadata.producerEpoch());
                assertThat(markers.partitions()).as(context).isEqualTo(metadata.partitions());
            }
        }
    }

    /**
     * One partition's marker (sometimes one already written, or a stale report at an older epoch): the partition
     * leaves what DescribeTransactions lists, and the transaction completes exactly with its last partition.
     */
    private static void markOnePartition(SplittableRandom random, TransactionHarness harness, String id,
            TransactionMetadata metadata) {
        List<TransactionPartition> partitions = metadata.partitions().stream().toList();
        TransactionPartition partition = partitions.get(random.nextInt(partitions.size()));
        if (random.nextInt(8) == 0) {
            harness.record(harness.shard.markerWritten(id, metadata.producerId(),
                    (short) (metadata.producerEpoch() - 1), partition, harness.nowMs));
            assertThat(harness.last.records()).as("a stale report").isEmpty();
            return;
        }
        List<String> before = harness.describedPartitions(id);
        harness.markerWritten(id, partition);
        List<String> after = new ArrayList<>(before);
        after.remove(partition.topic() + "-" + partition.partition());
        if (after.isEmpty()) {
            assertThat(harness.metadata(id).state().isComplete()).as("completed with its last marker").isTrue();
        } else {
            assertThat(harness.metadata(id).state().isPreparing()).isTrue();
            assertThat(harness.describedPartitions(id)).isEqualTo(after);
        }
    }

    private static void step(SplittableRandom random, TransactionHarness harness, Map<String, Producer> producers,
            short transactionVersionLevel) {
        harness.nowMs += random.nextInt(3_000);
        String id = IDS.get(random.nextInt(IDS.size()));
        Producer producer = producers.computeIfAbsent(id, key -> new Producer());
        int action = random.nextInt(100);
        if (action < 12) {
            boolean recover = producer.producerId >= 0 && random.nextBoolean();
            InitProducerIdResponseData response = recover
                    ? harness.init(id, 1 + random.nextInt(60_000), producer.producerId, producer.epoch, (short) 5)
                    : harness.init(id, 1 + random.nextInt(60_000));
            if (response.errorCode() == Errors.NONE.code()) {
                producer.producerId = response.producerId();
                producer.epoch = response.producerEpoch();
                producer.transactionVersion2 = transactionVersionLevel >= 2 && random.nextBoolean();
            }
        } else if (action < 40) {
            String topic = TOPICS.get(random.nextInt(TOPICS.size()));
            int partition = random.nextInt(3);
            if (producer.transactionVersion2) {
                harness.addVersion5(id, producer.producerId, producer.epoch, random.nextInt(4) == 0, topic,
                        partition);
            } else {
                harness.add(id, producer.producerId, producer.epoch, (short) 3, topic, partition);
            }
        } else if (action < 45) {
            harness.addOffsets(id, producer.producerId, producer.epoch, "group-" + random.nextInt(3));
        } else if (action < 65) {
            // Sometimes a zombie: an older epoch than the producer's.
            short epoch = random.nextInt(6) == 0 ? (short) (producer.epoch - 1) : producer.epoch;
            EndTxnResponseData response = harness.end(id, producer.producerId, epoch, random.nextInt(3) != 0,
                    producer.transactionVersion2 ? (short) 5 : (short) 4);
            if (producer.transactionVersion2 && response.errorCode() == Errors.NONE.code()) {
                producer.producerId = response.producerId();
                producer.epoch = response.producerEpoch();
            }
        } else if (action < 85) {
            TransactionMetadata metadata = harness.metadata(id);
            if (metadata != null && metadata.state().isPreparing()) {
                if (random.nextBoolean()) {
                    harness.markersWritten(id);
                } else {
                    markOnePartition(random, harness, id, metadata);
                }
            }
        } else if (action < 95) {
            harness.poll();
        } else {
            harness.nowMs += random.nextInt(100_000);
            harness.poll();
        }
    }
}
