package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which Produce requests the dispatcher may run on the network thread that read them. */
class ProduceOnNetworkThreadTest {
    private static final Map<String, Map<String, String>> OVERRIDES = Map.of(
            "plain", Map.of(),
            "kept-uncompressed", Map.of("compression.type", "uncompressed"),
            "recompressed", Map.of("compression.type", "lz4"),
            "flushed", Map.of("flush.messages", "1"));
    /** The broker defaults filled in, as the node's resolver does. */
    private static final Function<Map<String, String>, Map<String, String>> EFFECTIVE = overrides -> {
        Map<String, String> effective = new HashMap<>(Map.of("compression.type", "producer",
                "flush.messages", Long.toString(Long.MAX_VALUE)));
        effective.putAll(overrides);
        return effective;
    };

    private final ProduceHandler handler = new ProduceHandler(cache(), null, EFFECTIVE, Clock.systemUTC());

    private static MetadataCache cache() {
        Map<String, TopicImage> byName = new HashMap<>();
        Map<UUID, TopicImage> byId = new HashMap<>();
        for (String name : OVERRIDES.keySet()) {
            TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
            partitions.put(0, new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0));
            TopicImage topic = new TopicImage(name, UUID.randomUUID(), partitions);
            byName.put(name, topic);
            byId.put(topic.topicId(), topic);
        }
        return new MetadataCache("cluster", 1, new MetadataImage(1, Map.of(), byName, byId, OVERRIDES, Map.of(), 0,
                Map.of()));
    }

    private static ByteBuffer batch(CompressionType compression, int valueBytes) {
        return RecordCodec.encode(BatchSpec.plain(0, compression), List.of(new Record(0, 1_700_000_000_000L, null,
                ByteBuffer.wrap(new byte[valueBytes]), List.of())));
    }

    private static ByteBuffer concatenated(ByteBuffer... batches) {
        int size = 0;
        for (ByteBuffer batch : batches) {
            size += batch.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer batch : batches) {
            all.put(batch.duplicate());
        }
        return all.flip();
    }

    private static DecodedRequest produce(String transactionalId, Map<String, ByteBuffer> recordsByTopic) {
        ProduceRequestData body = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId(transactionalId);
        recordsByTopic.forEach((topic, records) -> body.topicData().add(new ProduceRequestData.TopicProduceData()
                .setName(topic).setPartitionData(new ArrayList<>(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0).setRecords(new BufferRecords(records)))))));
        return new DecodedRequest(ApiKey.PRODUCE, (short) 11, 1, "producer", (short) 2, body, 0);
    }

    @Test
    void uncompressedBatchesToTopicsThatKeepThemRunThere() {
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain",
                concatenated(batch(CompressionType.NONE, 100), batch(CompressionType.NONE, 100)),
                "kept-uncompressed", batch(CompressionType.NONE, 100))))).isTrue();
    }

    @Test
    void compressedBatchesAreDecompressedOnARequestHandler() {
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain", batch(CompressionType.LZ4, 100)))))
                .isFalse();
        // One compressed batch among uncompressed ones is enough.
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain",
                concatenated(batch(CompressionType.NONE, 100), batch(CompressionType.GZIP, 100)))))).isFalse();
    }

    @Test
    void topicsThatRecompressOrFsyncOnAppendKeepTheirProducesOnTheHandlers() {
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("recompressed",
                batch(CompressionType.NONE, 100))))).isFalse();
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("flushed",
                batch(CompressionType.NONE, 100))))).isFalse();
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain", batch(CompressionType.NONE, 100),
                "flushed", batch(CompressionType.NONE, 100))))).isFalse();
    }

    @Test
    void transactionalLargeUnknownOrUnreadableProducesStayOnTheHandlers() {
        assertThat(handler.appendsOnNetworkThread(produce("transactional", Map.of("plain",
                batch(CompressionType.NONE, 100))))).as("may wait for the transaction coordinator").isFalse();
        int half = ProduceHandler.NETWORK_THREAD_RECORD_BYTES_MAX / 2;
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain", batch(CompressionType.NONE, half),
                "kept-uncompressed", batch(CompressionType.NONE, half))))).as("over 1 MiB in all").isFalse();
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain", batch(CompressionType.NONE,
                half - 1000))))).as("within 1 MiB").isTrue();
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("ghost", batch(CompressionType.NONE, 100)))))
                .isFalse();
        ByteBuffer truncated = batch(CompressionType.NONE, 100).limit(20);
        assertThat(handler.appendsOnNetworkThread(produce(null, Map.of("plain", truncated)))).isFalse();
        assertThat(handler.appendsOnNetworkThread(new DecodedRequest(ApiKey.FETCH, (short) 17, 1, "consumer", (short) 2,
                new FetchRequestData(), 0))).isFalse();
    }
}
