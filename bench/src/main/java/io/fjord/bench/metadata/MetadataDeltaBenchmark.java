package io.fjord.bench.metadata;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import java.util.ArrayList;
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
 * What applying one committed metadata change costs as the cluster grows: one PartitionChangeRecord (an ISR shrink)
 * replayed on an image of {@code partitions} partitions (topics of {@link #PARTITIONS_PER_TOPIC}, RF 3 over 3
 * brokers), and the next image built, as the metadata loader does for each committed entry. With persistent maps the
 * time grows with log n, not n. Each invocation changes a different partition of the same base image. Scores are
 * microseconds per change. One thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class MetadataDeltaBenchmark {
    static final int PARTITIONS_PER_TOPIC = 10;

    @Param({"1000", "10000", "100000"})
    public int partitions;

    private MetadataImage image;
    private final List<UUID> topicIds = new ArrayList<>();
    private int next;

    @Setup
    public void buildImage() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        for (int broker = 1; broker <= 3; broker++) {
            delta.replay(new RegisterBrokerRecord(broker, new UUID(0, broker), List.of(), null, false), offset++);
        }
        for (int topic = 0; topic < partitions / PARTITIONS_PER_TOPIC; topic++) {
            UUID topicId = new UUID(1, topic);
            topicIds.add(topicId);
            delta.replay(new TopicRecord("topic-" + topic, topicId), offset++);
            for (int partition = 0; partition < PARTITIONS_PER_TOPIC; partition++) {
                delta.replay(new PartitionRecord(topicId, partition, List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 0),
                        offset++);
            }
        }
        image = delta.apply();
    }

    @Benchmark
    public MetadataImage applyOnePartitionChange() {
        int index = next++ % partitions;
        MetadataDelta delta = new MetadataDelta(image);
        delta.replay(new PartitionChangeRecord(topicIds.get(index / PARTITIONS_PER_TOPIC),
                index % PARTITIONS_PER_TOPIC, List.of(1, 2), PartitionChangeRecord.NO_LEADER_CHANGE),
                image.offset() + 1);
        return delta.apply();
    }
}
