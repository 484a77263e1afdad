package io.fjord.bench.metadata;

import io.fjord.metadata.controller.BrokerHeartbeatTracker;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quorum.MetadataEntries;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The controller's part of moving a killed broker's leaderships, as the replication bench's leader-move phase sets
 * it up: 3 unfenced brokers, one topic of {@code partitions} partitions with replicas [1, 2, 3], all led by broker 1,
 * {@code min.insync.replicas=2} and eligible leader replicas on; broker 1's lease has expired. Measured separately:
 * deciding the fencing (one result: a PartitionChangeRecord per partition and the broker's fence record), encoding it
 * as one metadata entry, and what every node's loader does with the committed entry (decode, replay into a delta,
 * build the next image). The entry's size is printed at setup. Scores are milliseconds per fencing. One thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class FenceBrokerBenchmark {
    private static final long SESSION_TIMEOUT_MS = 9000;
    private static final long NOW_MS = 100_000;

    @Param({"1000", "10000"})
    public int partitions;

    private MetadataImage image;
    private ClusterControl cluster;
    private List<MetadataRecord> records;
    private byte[] payload;

    @Setup
    public void setUp() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        delta.replay(new FeatureLevelRecord(ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE, (short) 1),
                offset++);
        for (int broker = 1; broker <= 3; broker++) {
            delta.replay(new RegisterBrokerRecord(broker, new UUID(0, broker), broker, List.of(), List.of(), null,
                    false, false), offset++);
        }
        UUID topicId = new UUID(1, 1);
        delta.replay(new TopicRecord("leader-move", topicId), offset++);
        delta.replay(new ConfigRecord(ConfigRecord.TOPIC, "leader-move", ReplicationControl.MIN_INSYNC_REPLICAS, "2"),
                offset++);
        for (int partition = 0; partition < partitions; partition++) {
            delta.replay(new PartitionRecord(topicId, partition, List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 0),
                    offset++);
        }
        image = delta.apply();
        BrokerHeartbeatTracker heartbeats = new BrokerHeartbeatTracker(SESSION_TIMEOUT_MS);
        heartbeats.touch(1, 1, NOW_MS - SESSION_TIMEOUT_MS - 1, image.offset());
        heartbeats.touch(2, 2, NOW_MS, image.offset());
        heartbeats.touch(3, 3, NOW_MS, image.offset());
        cluster = new ClusterControl(new ClusterControl.Settings("bench"), heartbeats,
                new ReplicationControl(ReplicationControl.Settings.DEFAULTS));
        records = decide().records();
        payload = MetadataEntries.encode(records);
        System.out.printf("%nfencing broker 1 of %d partitions: %d records, one entry of %d bytes%n", partitions,
                records.size(), payload.length);
    }

    @Benchmark
    public ControllerResult<List<Integer>> decide() {
        return cluster.fenceExpiredBrokers(image, NOW_MS);
    }

    @Benchmark
    public byte[] encode() {
        return MetadataEntries.encode(records);
    }

    @Benchmark
    public MetadataImage applyCommittedEntry() {
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : MetadataEntries.decode(payload)) {
            delta.replay(record, image.offset() + 1);
        }
        return delta.apply();
    }
}
