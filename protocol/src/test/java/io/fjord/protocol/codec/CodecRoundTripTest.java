package io.fjord.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.generated.MessageConverters;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.FileRegionRecords;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.Test;

/**
 * Every API at every version kafka-clients 4.4.0 knows: a request written by Kafka's classes decodes through Fjord's
 * decoder and converts back to the same bytes; a response encoded by Fjord reads back in Kafka's classes as the same
 * message Kafka itself would have written.
 */
class CodecRoundTripTest {
    private static final int SEEDS = 3;
    private final RequestDecoder decoder = new RequestDecoder((apiKey, version) -> true);

    private static ByteBuffer write(ApiMessage message, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(message.size(cache, version));
        message.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.flip();
    }

    private static ByteBuffer requestFrame(ApiKeys key, short version, ApiMessage body, int correlationId) {
        short headerVersion = key.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("client-" + correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer frame = ByteBuffer.allocate(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return frame.flip();
    }

    private static ByteBuffer concatenate(EncodedResponse response) {
        ByteBuffer all = ByteBuffer.allocate(response.sizeBytes());
        for (Object part : response.parts()) {
            if (part instanceof ByteBuffer buffer) {
                all.put(buffer.duplicate());
            } else {
                FileRegionRecords region = (FileRegionRecords) part;
                throw new AssertionError("unexpected file region of " + region.sizeInBytes() + " bytes");
            }
        }
        return all.flip();
    }

    @Test
    void everyRequestVersionDecodesAndReencodesToTheSameBytes() throws Exception {
        int checked = 0;
        int differentFromDefault = 0;
        for (ApiKeys key : ApiKeys.values()) {
            for (short version = key.oldestVersion(); version <= key.latestVersion(); version++) {
                for (int seed = 0; seed < SEEDS; seed++) {
                    RandomKafkaMessages random = new RandomKafkaMessages(key.id * 1000L + version * 10L + seed);
                    ApiMessage request = random.fillForVersion(key.messageType.newRequest().getClass(), version);
                    ByteBuffer original = write(request, version);
                    if (!original.equals(write(key.messageType.newRequest(), version))) {
                        differentFromDefault++;
                    }
                    DecodedRequest decoded = decoder.decode(requestFrame(key, version, request, seed));
                    String context = key + " v" + version + " seed " + seed;
                    assertThat(decoded.apiKey().id()).as(context).isEqualTo(key.id);
                    assertThat(decoded.apiVersion()).as(context).isEqualTo(version);
                    assertThat(decoded.correlationId()).as(context).isEqualTo(seed);
                    assertThat(decoded.clientId()).as(context).isEqualTo("client-" + seed);
                    assertThat(write(MessageConverters.requestToKafka(decoded.body()), version)).as(context)
                            .isEqualTo(original);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(300 * SEEDS);
        // The random filling must really exercise fields, not leave messages at their defaults.
        assertThat(differentFromDefault).isGreaterThan(checked * 9 / 10);
    }

    @Test
    void everyResponseVersionEncodesAsKafkaWould() {
        for (ApiKeys key : ApiKeys.values()) {
            for (short version = key.oldestVersion(); version <= key.latestVersion(); version++) {
                for (int seed = 0; seed < SEEDS; seed++) {
                    RandomKafkaMessages random = new RandomKafkaMessages(key.id * 7000L + version * 10L + seed);
                    ApiMessage response = random.fillForVersion(key.messageType.newResponse().getClass(), version);
                    ByteBuffer expectedBody = write(response, version);
                    EncodedResponse encoded = ResponseEncoder.encode(ApiKey.forId(key.id), version, 4242 + seed,
                            MessageConverters.responseFromKafka(response));
                    ByteBuffer bytes = concatenate(encoded);
                    String context = key + " v" + version + " seed " + seed;
                    assertThat(bytes.getInt()).as(context).isEqualTo(bytes.remaining());
                    short headerVersion = key == ApiKeys.API_VERSIONS ? 0 : key.responseHeaderVersion(version);
                    ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(bytes), headerVersion);
                    assertThat(header.correlationId()).as(context).isEqualTo(4242 + seed);
                    assertThat(bytes.slice()).as(context).isEqualTo(expectedBody);
                }
            }
        }
    }
}
