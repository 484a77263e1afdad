package io.fjord.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.junit.jupiter.api.Test;

class FrameGeneratorTest {
    private static final long SMALL_BOMB_BYTES = 1 << 20;

    /** Every API with a builder, at every version kafka-clients 4.4.0 knows. */
    private static FuzzContext everyVersion() {
        Map<ApiKeys, short[]> versions = new EnumMap<>(ApiKeys.class);
        for (ApiKeys api : RequestCatalog.BUILT) {
            versions.put(api, new short[] {api.oldestVersion(), api.latestVersion()});
        }
        return new FuzzContext(versions, List.of(Uuid.randomUuid(), Uuid.randomUuid(), Uuid.randomUuid(),
                Uuid.randomUuid()), 1);
    }

    @Test
    void aFrameIsAPureFunctionOfSeedAndIndex() {
        FuzzContext context = everyVersion();
        FrameGenerator first = new FrameGenerator(42, context, new DecompressionBombs(SMALL_BOMB_BYTES));
        FrameGenerator second = new FrameGenerator(42, context, new DecompressionBombs(SMALL_BOMB_BYTES));
        List<byte[]> forwards = new ArrayList<>();
        for (int index = 0; index < 300; index++) {
            forwards.add(first.frame(index).bytes());
        }
        // Backwards, on another generator: the same bytes, whatever came before.
        for (int index = 299; index >= 0; index--) {
            assertThat(second.frame(index).bytes()).as("frame %d", index).isEqualTo(forwards.get(index));
        }
        FrameGenerator otherSeed = new FrameGenerator(43, context, new DecompressionBombs(SMALL_BOMB_BYTES));
        int same = 0;
        for (int index = 0; index < 300; index++) {
            same += java.util.Arrays.equals(otherSeed.frame(index).bytes(), forwards.get(index)) ? 1 : 0;
        }
        assertThat(same).as("frames another seed repeats").isLessThan(30);
    }

    @Test
    void everyFrameIsWellFramedAndTheMixHasEveryKind() {
        FrameGenerator generator = new FrameGenerator(7, everyVersion(), new DecompressionBombs(SMALL_BOMB_BYTES));
        Map<Frame.Kind, Integer> kinds = new EnumMap<>(Frame.Kind.class);
        int defaults = 0;
        for (int index = 0; index < 3_000; index++) {
            Frame frame = generator.frame(index);
            byte[] bytes = frame.bytes();
            assertThat(ByteBuffer.wrap(bytes).getInt()).as(frame.describe()).isEqualTo(bytes.length - 4);
            assertThat(bytes.length).as(frame.describe()).isLessThan(40 << 20);
            kinds.merge(frame.kind(), 1, Integer::sum);
            defaults += frame.api().endsWith("/defaults") ? 1 : 0;
        }
        assertThat(kinds.keySet()).containsExactlyInAnyOrder(Frame.Kind.values());
        assertThat(kinds.get(Frame.Kind.SHAPE)).isGreaterThan(100);
        assertThat(defaults).as("frames that fell back to a schema's defaults").isZero();
    }

    @Test
    void cleanAndHostileRequestsOfEveryApiAndVersionParseWithKafkaClients() {
        FuzzContext context = everyVersion();
        RequestCatalog catalog = new RequestCatalog(context, new DecompressionBombs(SMALL_BOMB_BYTES));
        for (ApiKeys api : RequestCatalog.BUILT) {
            for (short version = api.oldestVersion(); version <= api.latestVersion(); version++) {
                for (int attempt = 0; attempt < 30; attempt++) {
                    double hostility = attempt % 2 == 0 ? 0.0 : 0.25;
                    FuzzValues values = new FuzzValues(new SplittableRandom(attempt * 31L + version), hostility);
                    ApiMessage body = catalog.build(api, version, values);
                    byte[] frame = RequestFrames.frame(api, version, attempt, "test", body);
                    ByteBuffer buffer = ByteBuffer.wrap(frame, 4, frame.length - 4).slice();
                    RequestHeader header = RequestHeader.parse(buffer);
                    assertThat(header.apiKey()).isEqualTo(api);
                    AbstractRequest request = AbstractRequest.parseRequest(api, version,
                            new org.apache.kafka.common.protocol.ByteBufferAccessor(buffer)).request;
                    // Well-formed: what kafka-clients read writes back to exactly the bytes sent (fields a
                    // version lacks but may ignore are dropped on both sides).
                    byte[] again = RequestFrames.frame(api, version, attempt, "test", request.data());
                    assertThat(again).as("%s v%d attempt %d", api, version, attempt).isEqualTo(frame);
                }
            }
        }
    }

    @Test
    void aBombDecompressesToWhatItClaims() throws IOException {
        DecompressionBombs bombs = new DecompressionBombs(SMALL_BOMB_BYTES);
        for (CompressionType type : List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4,
                CompressionType.ZSTD)) {
            byte[] payload = bombs.payload(type);
            assertThat(payload.length).as(type.name).isLessThan((int) SMALL_BOMB_BYTES / 8);
            long decompressed = 0;
            try (InputStream input = Compression.of(type).build().wrapForInput(ByteBuffer.wrap(payload), (byte) 2,
                    BufferSupplier.NO_CACHING)) {
                byte[] chunk = new byte[8192];
                int read;
                while ((read = input.read(chunk)) > 0) {
                    decompressed += read;
                }
            }
            assertThat(decompressed).as(type.name).isBetween(SMALL_BOMB_BYTES - 16, SMALL_BOMB_BYTES + 16);
            assertThat(DecompressionBombs.decompressedBytes(type)).isGreaterThanOrEqualTo(64L << 20);
        }
    }

    @Test
    void byteMutationsKeepTheSizePrefixTrueAndTheHeaderMostly() {
        byte[] frame = RequestFrames.frame(ApiKeys.METADATA, (short) 12, 5, "test",
                new org.apache.kafka.common.message.MetadataRequestData());
        int keptKeyAndVersion = 0;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            byte[] mutated = ByteMutator.mutate(frame, new FuzzValues(new SplittableRandom(attempt), 0.0));
            assertThat(ByteBuffer.wrap(mutated).getInt()).isEqualTo(mutated.length - 4);
            assertThat(mutated.length).isLessThanOrEqualTo(frame.length + 64 * 1024);
            boolean kept = mutated.length >= 8 && java.util.Arrays.equals(mutated, 4, 8, frame, 4, 8);
            keptKeyAndVersion += kept ? 1 : 0;
        }
        assertThat(keptKeyAndVersion).isGreaterThan(800);
    }

    @Test
    void batchesCarryAValidCrcWhateverTheirHeaderClaims() {
        byte[] payload = BatchWriter.payload(List.of(BatchWriter.record(0, 0L, null, new byte[3], List.of())));
        BatchWriter.Header header = new BatchWriter.Header(0L, -1, (byte) 2, (short) 0, 5, 1L, 1L, -1L, (short) -1,
                -1, Integer.MAX_VALUE);
        ByteBuffer batch = BatchWriter.batch(header, payload);
        org.apache.kafka.common.record.internal.MemoryRecords records =
                org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(batch);
        records.batches().forEach(parsed -> {
            assertThat(parsed.isValid()).isTrue();
            assertThat(parsed.countOrNull()).isEqualTo(Integer.MAX_VALUE);
        });
    }
}
