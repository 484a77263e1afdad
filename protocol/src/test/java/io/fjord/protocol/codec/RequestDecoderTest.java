package io.fjord.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.codec.RequestParseException.Reason;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.MetadataRequestData;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private final RequestDecoder decoder = new RequestDecoder(
            (apiKey, version) -> apiKey == ApiKey.METADATA || apiKey == ApiKey.API_VERSIONS && version <= 4);

    private static ByteBuffer header(int apiKey, int version, int correlationId, int extraBytes) {
        ByteBuffer frame = ByteBuffer.allocate(8 + extraBytes);
        frame.putShort((short) apiKey).putShort((short) version).putInt(correlationId);
        return frame;
    }

    @Test
    void aFrameShorterThanAHeaderIsMalformed() {
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.allocate(5)))
                .isInstanceOfSatisfying(RequestParseException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    @Test
    void anUnknownApiKeyIsRefusedWithItsCorrelationId() {
        assertThatThrownBy(() -> decoder.decode(header(999, 0, 77, 0).flip()))
                .isInstanceOfSatisfying(RequestParseException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_API_KEY);
                    assertThat(e.correlationId()).isEqualTo(77);
                });
        // A removed API (LeaderAndIsr, id 4) is unknown too.
        assertThatThrownBy(() -> decoder.decode(header(4, 0, 78, 0).flip()))
                .isInstanceOfSatisfying(RequestParseException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_API_KEY));
    }

    @Test
    void anUnsupportedVersionIsRefusedBeforeTheBodyIsRead() {
        assertThatThrownBy(() -> decoder.decode(header(ApiKey.API_VERSIONS.id(), 9, 5, 0).flip()))
                .isInstanceOfSatisfying(RequestParseException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
                    assertThat(e.apiKey()).isEqualTo(ApiKey.API_VERSIONS.id());
                    assertThat(e.apiVersion()).isEqualTo((short) 9);
                });
    }

    @Test
    void aHugeClaimedCollectionIsRejectedWithoutAllocatingIt() {
        // Metadata v4 (not flexible): header v1 = key, version, correlation id, client id (int16 length), then the
        // topics array length (int32) claiming a billion topics in a frame of a few bytes.
        ByteBuffer frame = header(ApiKey.METADATA.id(), 4, 9, 2 + 4 + 1);
        frame.putShort((short) -1).putInt(1_000_000_000).put((byte) 0);
        long freeBefore = Runtime.getRuntime().freeMemory();
        assertThatThrownBy(() -> decoder.decode(frame.flip()))
                .isInstanceOfSatisfying(RequestParseException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        assertThat(Runtime.getRuntime().freeMemory()).isGreaterThan(freeBefore - 64L * 1024 * 1024);
    }

    @Test
    void aValidRequestDecodesIntoFjordClasses() throws Exception {
        ByteBuffer frame = header(ApiKey.METADATA.id(), 4, 11, 2 + 4 + 1);
        frame.putShort((short) -1).putInt(-1).put((byte) 1); // null client id, all topics, auto-create on
        DecodedRequest request = decoder.decode(frame.flip());
        assertThat(request.apiKey()).isEqualTo(ApiKey.METADATA);
        assertThat(request.clientId()).isNull();
        assertThat(((MetadataRequestData) request.body()).topics()).isNull();
        assertThat(((MetadataRequestData) request.body()).allowAutoTopicCreation()).isTrue();
    }

    @Test
    void randomGarbageNeverEscapesAsAnotherException() {
        Random random = new Random(42);
        for (int attempt = 0; attempt < 2000; attempt++) {
            byte[] bytes = new byte[8 + random.nextInt(64)];
            random.nextBytes(bytes);
            ByteBuffer frame = ByteBuffer.wrap(bytes);
            frame.putShort(0, random.nextBoolean() ? ApiKey.METADATA.id() : ApiKey.API_VERSIONS.id());
            frame.putShort(2, (short) random.nextInt(5));
            try {
                decoder.decode(frame);
            } catch (RequestParseException expected) {
                assertThat(expected.reason()).isIn(Reason.MALFORMED, Reason.UNSUPPORTED_VERSION);
            }
        }
    }
}
