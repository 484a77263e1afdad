package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.protocol.message.Records;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real partition logs in a temporary directory with a metadata image naming them, for handler tests: topics are
 * led by node 1 at leader epoch 5 unless told otherwise. Counts file slices handed out and released. Not thread-safe
 * while topics are added.
 */
final class HandlerFixture implements AutoCloseable {
    static final int NODE_ID = 1;
    static final int LEADER_EPOCH = 5;

    final LogManager logManager;
    private final Map<String, TopicImage> topics = new HashMap<>();
    private final Map<Integer, BrokerImage> brokers = new HashMap<>();
    private MetadataCache cache;
    final AtomicInteger slicesOpen = new AtomicInteger();
    final AtomicInteger slicesReleased = new AtomicInteger();
    /**
     * Whether the counting reader passes on the bytes a log holds in memory (its active segment's tail); if not,
     * every read is a file region, as reads below the tail are.
     */
    boolean passesCachedBytes;

    HandlerFixture(Path directory) {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        cache = new MetadataCache("cluster", NODE_ID, MetadataImage.EMPTY);
    }

    /** Creates the topic's logs and publishes an image holding it; returns its id. */
    UUID topic(String name, int partitionCount) {
        return topic(name, partitionCount, NODE_ID);
    }

    UUID topic(String name, int partitionCount, int leader) {
        UUID topicId = UUID.randomUUID();
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition = 0; partition < partitionCount; partition++) {
            partitions.put(partition, new PartitionImage(partition, List.of(leader), List.of(leader), leader,
                    LEADER_EPOCH, 0));
            logManager.getOrCreateLog(new TopicPartition(name, partition), logManager.config().defaultLogConfig());
        }
        topics.put(name, new TopicImage(name, topicId, partitions));
        publish();
        return topicId;
    }

    /** Registers a broker with an endpoint on each of the listeners (port 9092 + id) and publishes the image. */
    void broker(int brokerId, boolean fenced, String... listenerNames) {
        rackedBroker(brokerId, null, fenced, listenerNames);
    }

    /** As {@link #broker}, in a rack ({@code broker.rack}), null for none. */
    void rackedBroker(int brokerId, String rack, boolean fenced, String... listenerNames) {
        List<BrokerEndpoint> endpoints = new ArrayList<>();
        for (String listenerName : listenerNames) {
            endpoints.add(new BrokerEndpoint(listenerName, "localhost", 9092 + brokerId, (short) 0));
        }
        brokers.put(brokerId, new BrokerImage(brokerId, new UUID(0, brokerId), endpoints, rack, fenced));
        publish();
    }

    /** Replaces a topic's partitions by ones with these replicas, ISR, leader and epoch; its logs stay. */
    void placement(String name, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {
        TopicImage topic = topics.get(name);
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition : topic.partitions().keySet()) {
            partitions.put(partition, new PartitionImage(partition, replicas, isr, leader, leaderEpoch, 0));
        }
        topicImage(new TopicImage(name, topic.topicId(), partitions));
    }

    /** Publishes a topic image as it is, for partitions without logs here or with other replicas. */
    void topicImage(TopicImage topic) {
        topics.put(topic.name(), topic);
        publish();
    }

    private void publish() {
        Map<UUID, TopicImage> byId = new HashMap<>();
        topics.values().forEach(topic -> byId.put(topic.topicId(), topic));
        cache = new MetadataCache("cluster", NODE_ID, new MetadataImage(1, brokers, topics, byId, Map.of(), Map.of(),
                0));
    }

    MetadataCache cache() {
        return cache;
    }

    PartitionLog log(String topic, int partition) {
        return logManager.getLog(new TopicPartition(topic, partition)).orElseThrow();
    }

    Optional<PartitionLog> findLog(TopicPartition topicPartition) {
        return logManager.getLog(topicPartition);
    }

    /** Appends one batch of the values at the timestamp, as leader, and moves the high watermark to the log end. */
    void append(String topic, int partition, long timestamp, String... values) {
        PartitionLog log = log(topic, partition);
        log.appendAsLeader(batch(timestamp, values), LEADER_EPOCH);
        log.updateHighWatermark(log.logEndOffset());
    }

    /** Appends a batch of {@code count} records of about {@code sizeBytes} in all, moving the high watermark. */
    int appendSized(String topic, int partition, int count, int sizeBytes) {
        PartitionLog log = log(topic, partition);
        List<Record> records = new ArrayList<>();
        int valueBytes = Math.max(1, (sizeBytes - RecordBatch.HEADER_SIZE_BYTES) / count - 12);
        for (int index = 0; index < count; index++) {
            records.add(new Record(index, 1_000L, null, ByteBuffer.wrap(new byte[valueBytes]), List.of()));
        }
        ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records);
        int size = batch.remaining();
        log.appendAsLeader(batch, LEADER_EPOCH);
        log.updateHighWatermark(log.logEndOffset());
        return size;
    }

    static ByteBuffer batch(long timestamp, String... values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, timestamp, null,
                    ByteBuffer.wrap(values[index].getBytes(StandardCharsets.UTF_8)), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records);
    }

    /** A log reader that counts the slices it hands out and their releases. */
    PartitionReader.LogReader countingReader() {
        return (log, startOffset, maxBytes, maxOffsetExclusive, minOneBatch) -> {
            LogReadResult result = log.read(startOffset, maxBytes, maxOffsetExclusive, minOneBatch);
            FileSlice original = result.slice();
            slicesOpen.incrementAndGet();
            FileSlice counted = new FileSlice(original.channel(), original.position(), original.sizeBytes(), () -> {
                slicesReleased.incrementAndGet();
                original.release();
            }, passesCachedBytes ? original.cachedBytes() : null);
            return new LogReadResult(counted, result.firstBatchBaseOffset(), result.logStartOffset(),
                    result.logEndOffset(), result.highWatermark(), result.upperBoundOffset());
        };
    }

    int slicesNotReleased() {
        return slicesOpen.get() - slicesReleased.get();
    }

    /** The bytes of a records field (copied out of the file for a zero-copy region). */
    static ByteBuffer bytesOf(Records records) {
        if (records instanceof FileRegionRecords region) {
            ByteBuffer buffer = ByteBuffer.allocate(region.sizeInBytes());
            try {
                while (buffer.hasRemaining()) {
                    if (region.channel().read(buffer, region.position() + buffer.position()) < 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.flip();
        }
        return ((io.fjord.protocol.message.BufferRecords) records).buffer().duplicate();
    }

    /** Base offsets of the complete batches in a records field. */
    static List<Long> baseOffsets(Records records) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(bytesOf(records))) {
            offsets.add(batch.baseOffset());
        }
        return offsets;
    }

    static void release(Records records) {
        if (records instanceof FileRegionRecords region) {
            region.release().run();
        }
    }

    @Override
    public void close() {
        logManager.shutdown();
    }
}
