package io.fjord.protocol.codec;

import io.fjord.protocol.codec.generated.MessageConverters;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

/**
 * Reads response frames (the bytes after the 4-byte size prefix) that a Fjord node receives from another node, the
 * client side of {@link ResponseEncoder}. The caller knows which request a frame answers from its correlation id
 * ({@link #correlationId(ByteBuffer)}, read first) and passes that request's API and version. Records in the body
 * share the frame's bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class ResponseDecoder {
    private ResponseDecoder() {
    }

    /** The correlation id every response header starts with; -1 for a frame too short to hold one. */
    public static int correlationId(ByteBuffer frame) {
        return frame.remaining() < 4 ? -1 : frame.getInt(frame.position());
    }

    /**
     * The body of a response to a request of {@code apiKey} at {@code apiVersion}.
     *
     * @throws RequestParseException (reason MALFORMED) when the bytes are not such a response or leave bytes over
     */
    public static ApiMessage decode(ApiKey apiKey, short apiVersion, ByteBuffer frame) throws RequestParseException {
        short headerVersion = (short) (apiKey != ApiKey.API_VERSIONS && apiKey.isFlexible(apiVersion) ? 1 : 0);
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame.duplicate());
        int correlationId = correlationId(frame);
        try {
            new ResponseHeaderData(accessor, headerVersion);
            org.apache.kafka.common.protocol.ApiMessage body = ApiKeys.forId(apiKey.id()).messageType.newResponse();
            body.read(accessor, apiVersion);
            if (accessor.remaining() != 0) {
                throw new IllegalArgumentException(accessor.remaining() + " bytes left after the response");
            }
            return MessageConverters.responseFromKafka(body);
        } catch (RuntimeException e) {
            throw new RequestParseException(RequestParseException.Reason.MALFORMED, apiKey.id(), apiVersion,
                    correlationId, "malformed " + apiKey + " v" + apiVersion + " response: " + e);
        }
    }
}
