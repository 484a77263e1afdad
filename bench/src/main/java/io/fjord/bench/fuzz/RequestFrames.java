package io.fjord.bench.fuzz;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** Serializes a request header and body into a size-prefixed frame with Kafka's writers. Stateless, thread-safe. */
final class RequestFrames {
    private RequestFrames() {
    }

    /** The frame of {@code body} at {@code version}: size prefix, request header, body. */
    static byte[] frame(ApiKeys api, short version, int correlationId, String clientId, ApiMessage body) {
        return frame(api.id, version, api.requestHeaderVersion(version), correlationId, clientId, body);
    }

    /** As {@link #frame(ApiKeys, short, int, String, ApiMessage)} with the header's key and version given freely. */
    static byte[] frame(short apiKey, short headerApiVersion, short headerVersion, int correlationId, String clientId,
                        ApiMessage body) {
        return frame(apiKey, headerApiVersion, headerVersion, correlationId, clientId, body, headerApiVersion);
    }

    /** The general form: the header claims {@code headerApiVersion}; the body is written at {@code bodyVersion}. */
    static byte[] frame(short apiKey, short headerApiVersion, short headerVersion, int correlationId, String clientId,
                        ApiMessage body, short bodyVersion) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey)
                .setRequestApiVersion(headerApiVersion).setCorrelationId(correlationId).setClientId(clientId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerSize = header.size(cache, headerVersion);
        int bodySize = body.size(cache, bodyVersion);
        ByteBuffer buffer = ByteBuffer.allocate(4 + headerSize + bodySize);
        buffer.putInt(headerSize + bodySize);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, bodyVersion);
        return buffer.array();
    }

    /** The frame of raw body bytes behind a header (for hand-made shapes). */
    static byte[] frame(short apiKey, short version, short headerVersion, int correlationId, byte[] body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("fjord-fuzz");
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerSize = header.size(cache, headerVersion);
        ByteBuffer buffer = ByteBuffer.allocate(4 + headerSize + body.length);
        buffer.putInt(headerSize + body.length);
        header.write(new ByteBufferAccessor(buffer), cache, headerVersion);
        buffer.put(body);
        return buffer.array();
    }

    /** Re-frames a body whose length changed: a new size prefix that matches it. */
    static byte[] withSizePrefix(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }
}
