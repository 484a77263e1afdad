package io.fjord.protocol.codec;

import io.fjord.protocol.codec.RequestParseException.Reason;
import io.fjord.protocol.codec.generated.MessageConverters;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

/**
 * Reads request frames (the bytes after the 4-byte length prefix) into Fjord's message classes, through
 * kafka-clients' generated readers. Kafka's readers check every collection and string length against the bytes left
 * in the frame before allocating, so a frame cannot claim more memory than its own size.
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestDecoder {
    /** api key (2) + api version (2) + correlation id (4). */
    public static final int HEADER_PREFIX_BYTES = 8;

    private final SupportedVersions supportedVersions;

    public RequestDecoder(SupportedVersions supportedVersions) {
        this.supportedVersions = supportedVersions;
    }

    public DecodedRequest decode(ByteBuffer frame) throws RequestParseException {
        int size = frame.remaining();
        if (size < HEADER_PREFIX_BYTES) {
            throw new RequestParseException(Reason.MALFORMED, (short) -1, (short) -1, -1,
                    "frame of " + size + " bytes is shorter than a request header");
        }
        int start = frame.position();
        short apiKeyId = frame.getShort(start);
        short apiVersion = frame.getShort(start + 2);
        int correlationId = frame.getInt(start + 4);
        ApiKey apiKey = ApiKey.forId(apiKeyId);
        if (apiKey == null || !ApiKeys.hasId(apiKeyId)) {
            throw new RequestParseException(Reason.UNKNOWN_API_KEY, apiKeyId, apiVersion, correlationId,
                    "unknown API key " + apiKeyId);
        }
        if (!supportedVersions.supports(apiKey, apiVersion)) {
            throw new RequestParseException(Reason.UNSUPPORTED_VERSION, apiKeyId, apiVersion, correlationId,
                    "unsupported version " + apiVersion + " of " + apiKey);
        }
        short headerVersion = (short) (apiKey.isFlexible(apiVersion) ? 2 : 1);
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame.duplicate());
        try {
            RequestHeaderData header = new RequestHeaderData(accessor, headerVersion);
            org.apache.kafka.common.protocol.ApiMessage kafkaBody = ApiKeys.forId(apiKeyId).messageType.newRequest();
            kafkaBody.read(accessor, apiVersion);
            ApiMessage body = MessageConverters.requestFromKafka(kafkaBody);
            return new DecodedRequest(apiKey, apiVersion, correlationId, header.clientId(), headerVersion, body, size);
        } catch (RuntimeException e) {
            // Kafka's readers signal malformed input with runtime exceptions of several types.
            throw new RequestParseException(Reason.MALFORMED, apiKeyId, apiVersion, correlationId,
                    "malformed " + apiKey + " v" + apiVersion + " request: " + e);
        }
    }
}
