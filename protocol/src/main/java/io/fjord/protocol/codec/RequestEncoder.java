package io.fjord.protocol.codec;

import io.fjord.protocol.codec.generated.MessageConverters;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Writes requests that a Fjord node sends to another node (Raft's Vote, Fetch, ...), the client side of
 * {@link RequestDecoder}: Kafka framing (4-byte size), request header v1 or v2 (with client id) and the body, with
 * kafka-clients' generated writers. Records in the body are copied into the one heap buffer.
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestEncoder {
    private RequestEncoder() {
    }

    /** The whole frame, size prefix included, ready to write to a socket. */
    public static ByteBuffer encode(ApiKey apiKey, short apiVersion, int correlationId, String clientId,
            ApiMessage request) {
        short headerVersion = (short) (apiKey.isFlexible(apiVersion) ? 2 : 1);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey.id())
                .setRequestApiVersion(apiVersion).setCorrelationId(correlationId).setClientId(clientId);
        org.apache.kafka.common.protocol.ApiMessage body = MessageConverters.requestToKafka(request);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, apiVersion);
        ByteBuffer frame = ByteBuffer.allocate(4 + size.totalSize());
        frame.putInt(size.totalSize());
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, apiVersion);
        return frame.flip();
    }
}
