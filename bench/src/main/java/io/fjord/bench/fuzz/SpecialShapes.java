package io.fjord.bench.fuzz;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The special shapes, each a known way to hurt a broker: decompression bombs with a valid CRC, record counts of
 * 2^31-1, batches of very many tiny records, Fetch from a replica id >= 0 (CVE-2018-1288's shape), array and string
 * length claims far beyond the frame, SASL tokens claiming gigabytes, ApiVersions at unknown versions, unknown keys,
 * and Metadata naming thousands of topics. Not thread-safe (one per generator).
 */
final class SpecialShapes {
    private static final long TIMESTAMP = 1_767_225_600_000L;
    private final FuzzContext context;
    private final RequestCatalog catalog;
    private final ProducePayloads payloads;

    SpecialShapes(FuzzContext context, RequestCatalog catalog, DecompressionBombs bombs) {
        this.context = context;
        this.catalog = catalog;
        this.payloads = new ProducePayloads(bombs);
    }

    /** One special-shape frame. */
    Frame frame(long index, int correlationId, FuzzValues values) {
        int shape = values.nextInt(11);
        return switch (shape) {
            case 0, 1 -> produce(index, correlationId, "bomb", payloads.bomb(values), values);
            case 2 -> produce(index, correlationId, "count-2^31-1", maxCountBatch(values), values);
            case 3 -> produce(index, correlationId, "tiny-records", tinyRecords(values), values);
            case 4 -> replicaFetch(index, correlationId, values);
            case 5 -> lengthClaim(index, correlationId, values);
            case 6 -> clientIdClaim(index, correlationId, values);
            case 7 -> sasl(index, correlationId, values);
            case 8 -> apiVersionsUnknown(index, correlationId, values);
            case 9 -> unknownKeyOrVersion(index, correlationId, values);
            default -> manyTopicsMetadata(index, correlationId, values);
        };
    }

    private short version(ApiKeys api, FuzzValues values) {
        short[] range = context.versions().get(api);
        if (range == null) {
            return api.latestVersion();
        }
        return (short) values.between(range[0], range[1]);
    }

    private Frame produce(long index, int correlationId, String shape, MemoryRecords records, FuzzValues values) {
        short version = version(ApiKeys.PRODUCE, values);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData();
        if (version >= 13) {
            topic.setTopicId(context.topicIds().isEmpty() ? values.uuid(List.of()) : values.pick(context.topicIds()));
        } else {
            topic.setName(values.pick(FuzzContext.FUZZ_TOPICS));
        }
        topic.setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(values.nextInt(2))
                .setRecords(records)));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(topic);
        short acks = values.pick(List.of((short) 0, (short) 1, (short) -1));
        ProduceRequestData body = new ProduceRequestData().setAcks(acks).setTimeoutMs(5_000).setTopicData(topics);
        byte[] bytes = RequestFrames.frame(ApiKeys.PRODUCE, version, correlationId, "fjord-fuzz", body);
        return new Frame(index, Frame.Kind.SHAPE, "Produce/" + shape, version, correlationId, acks != 0, bytes);
    }

    /** A small, well-formed uncompressed or compressed batch whose header claims 2^31-1 records. */
    private static MemoryRecords maxCountBatch(FuzzValues values) {
        int compression = values.chance(0.5) ? 0 : values.between(1, 4);
        List<byte[]> bodies = List.of(BatchWriter.record(0, 0L, null, new byte[8], List.of()),
                BatchWriter.record(1, 0L, null, new byte[8], List.of()));
        BatchWriter.Header header = new BatchWriter.Header(0L, -1, (byte) 2, (short) compression,
                values.chance(0.5) ? 1 : Integer.MAX_VALUE - 1, TIMESTAMP, TIMESTAMP, -1L, (short) -1, -1,
                Integer.MAX_VALUE);
        return MemoryRecords.readableRecords(BatchWriter.batch(header, BatchWriter.compress(compression,
                BatchWriter.payload(bodies))));
    }

    /** Very many minimal records in one batch (compressed: ~1M records of ~7 bytes; uncompressed: 50,000). */
    private static MemoryRecords tinyRecords(FuzzValues values) {
        boolean compressed = values.chance(0.5);
        int count = compressed ? 1_000_000 : 50_000;
        int compression = compressed ? values.pick(List.of(1, 4)) : 0;
        ByteBuffer payload = ByteBuffer.allocate(count * 12);
        for (int index = 0; index < count; index++) {
            byte[] body = BatchWriter.record(index, 0L, null, null, List.of());
            BatchWriter.writeVarint(payload, body.length);
            payload.put(body);
        }
        byte[] bytes = new byte[payload.position()];
        payload.flip().get(bytes);
        BatchWriter.Header header = BatchWriter.Header.of(count, (short) compression, TIMESTAMP);
        return MemoryRecords.readableRecords(BatchWriter.batch(header, BatchWriter.compress(compression, bytes)));
    }

    /** Fetch as a replica (replica id >= 0), the shape of CVE-2018-1288. */
    private Frame replicaFetch(long index, int correlationId, FuzzValues values) {
        short version = version(ApiKeys.FETCH, values);
        FetchRequestData body = catalog.data().fetch(version, new FuzzValues(values.random(), 0.0));
        int replicaId = values.pick(List.of(0, 1, context.nodeId(), 2, 1000));
        if (version >= 15) {
            body.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId).setReplicaEpoch(1L));
        } else {
            body.setReplicaId(replicaId);
        }
        byte[] bytes = RequestFrames.frame(ApiKeys.FETCH, version, correlationId, "fjord-fuzz", body);
        return new Frame(index, Frame.Kind.SHAPE, "Fetch/replica-id-" + replicaId, version, correlationId, true,
                bytes);
    }

    /** A well-formed request whose first body field (an array or string length, mostly) claims ~2^31 elements. */
    private Frame lengthClaim(long index, int correlationId, FuzzValues values) {
        List<ApiKeys> apis = new ArrayList<>(context.apis());
        ApiKeys api = values.pick(apis);
        short version = version(api, values);
        byte[] clean = RequestFrames.frame(api, version, correlationId, "fjord-fuzz",
                catalog.build(api, version, new FuzzValues(values.random(), 0.0)));
        // The header: key, version, correlation id, client id (int16 length + bytes), then tagged fields if flexible.
        int headerEnd = 4 + 2 + 2 + 4 + 2 + "fjord-fuzz".length() + (api.requestHeaderVersion(version) >= 2 ? 1 : 0);
        byte[] body = java.util.Arrays.copyOfRange(clean, 4, clean.length);
        int position = headerEnd - 4 + values.nextInt(Math.max(1, Math.min(8, body.length - (headerEnd - 4))));
        byte[] claim = values.chance(0.5) ? new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}
                : new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        for (int offset = 0; offset < claim.length && position + offset < body.length; offset++) {
            body[position + offset] = claim[offset];
        }
        return new Frame(index, Frame.Kind.SHAPE, api.name + "/length-claim", version, correlationId, true,
                RequestFrames.withSizePrefix(body));
    }

    /** A header whose client id claims 32,767 bytes in a frame that holds a few. */
    private Frame clientIdClaim(long index, int correlationId, FuzzValues values) {
        ApiKeys api = values.pick(context.apis());
        short version = version(api, values);
        ByteBuffer body = ByteBuffer.allocate(12).putShort(api.id).putShort(version).putInt(correlationId)
                .putShort((short) 0x7fff).putShort((short) 0x4142);
        return new Frame(index, Frame.Kind.SHAPE, api.name + "/client-id-claim", version, correlationId, true,
                RequestFrames.withSizePrefix(body.array()));
    }

    /** SaslAuthenticate, whether advertised or not, whose auth-bytes length claims ~2 GB in a tiny frame. */
    private Frame sasl(long index, int correlationId, FuzzValues values) {
        short version = (short) values.between(ApiKeys.SASL_AUTHENTICATE.oldestVersion(),
                ApiKeys.SASL_AUTHENTICATE.latestVersion());
        // v0-1: an int32 length; v2 (flexible): an unsigned varint length (plus one), then tagged fields.
        byte[] body = version >= 2
                ? new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2, 3, 4, 5, 6, 0}
                : new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4, 5, 6};
        byte[] bytes = RequestFrames.frame(ApiKeys.SASL_AUTHENTICATE.id, version,
                ApiKeys.SASL_AUTHENTICATE.requestHeaderVersion(version), correlationId, body);
        return new Frame(index, Frame.Kind.SHAPE, "SaslAuthenticate/size-claim", version, correlationId, true, bytes);
    }

    /** ApiVersions at a version nobody knows (Kafka answers v0 with UNSUPPORTED_VERSION), with any body. */
    private Frame apiVersionsUnknown(long index, int correlationId, FuzzValues values) {
        short version = values.pick(List.of((short) 6, (short) 7, (short) 127, (short) 32_767, (short) -1));
        byte[] body = new byte[values.count(40)];
        values.random().nextBytes(body);
        if (values.chance(0.5)) {
            byte[] bytes = RequestFrames.frame(ApiKeys.API_VERSIONS.id, version, (short) 2, correlationId,
                    "fjord-fuzz", new ApiVersionsRequestData().setClientSoftwareName("fuzz")
                            .setClientSoftwareVersion("1"), (short) 3);
            return new Frame(index, Frame.Kind.SHAPE, "ApiVersions/unknown-version", version, correlationId, true,
                    bytes);
        }
        byte[] bytes = RequestFrames.frame(ApiKeys.API_VERSIONS.id, version, (short) 1, correlationId, body);
        return new Frame(index, Frame.Kind.SHAPE, "ApiVersions/unknown-version-garbage", version, correlationId,
                true, bytes);
    }

    /** An unknown API key, or a known one at a version outside both sides' range. */
    private Frame unknownKeyOrVersion(long index, int correlationId, FuzzValues values) {
        byte[] body = new byte[values.count(64)];
        values.random().nextBytes(body);
        if (values.chance(0.5)) {
            short key = values.pick(List.of((short) 99, (short) 1000, (short) -1, (short) 32_767, (short) 4));
            return new Frame(index, Frame.Kind.SHAPE, "UnknownKey/" + key, (short) 0, correlationId, true,
                    RequestFrames.frame(key, (short) 0, (short) 1, correlationId, body));
        }
        ApiKeys api = values.pick(context.apis());
        short version = values.pick(List.of((short) (api.latestVersion() + 1), (short) -1, (short) 999,
                (short) (api.oldestVersion() - 1)));
        return new Frame(index, Frame.Kind.SHAPE, api.name + "/unknown-version", version, correlationId, true,
                RequestFrames.frame(api.id, version, (short) 1, correlationId, body));
    }

    /** Metadata naming 20,000 topics (without auto-creation): work and memory in proportion to a 300 KB request. */
    private Frame manyTopicsMetadata(long index, int correlationId, FuzzValues values) {
        // From v4 only: older versions always auto-create the topics they name.
        short version = (short) Math.max(4, version(ApiKeys.METADATA, values));
        List<MetadataRequestData.MetadataRequestTopic> topics = new ArrayList<>();
        for (int topic = 0; topic < 20_000; topic++) {
            topics.add(new MetadataRequestData.MetadataRequestTopic().setName("missing-" + topic));
        }
        MetadataRequestData body = new MetadataRequestData().setTopics(topics).setAllowAutoTopicCreation(false);
        byte[] bytes = RequestFrames.frame(ApiKeys.METADATA, version, correlationId, "fjord-fuzz", body);
        return new Frame(index, Frame.Kind.SHAPE, "Metadata/20000-topics", version, correlationId, true, bytes);
    }
}
