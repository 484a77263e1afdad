package io.fjord.protocol.codec;

/**
 * A request frame that cannot be served. The network layer answers an unsupported ApiVersions with the error Kafka
 * sends and closes the connection for everything else, logging the reason. Immutable.
 */
public final class RequestParseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the frame was refused. */
    public enum Reason {
        /** Shorter than a request header, or the body does not decode. */
        MALFORMED,
        /** An API key kafka-clients 4.4.0 does not know, or one this node does not serve. */
        UNKNOWN_API_KEY,
        /** A version of a known API outside the range this node advertises. */
        UNSUPPORTED_VERSION
    }

    private final Reason reason;
    private final short apiKey;
    private final short apiVersion;
    private final int correlationId;

    public RequestParseException(Reason reason, short apiKey, short apiVersion, int correlationId, String message) {
        super(message);
        this.reason = reason;
        this.apiKey = apiKey;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
    }

    public Reason reason() {
        return reason;
    }

    public short apiKey() {
        return apiKey;
    }

    public short apiVersion() {
        return apiVersion;
    }

    public int correlationId() {
        return correlationId;
    }
}
