package io.fjord.protocol.message;

/**
 * A response with Kafka's {@code throttle_time_ms} field (KIP-219): how long the client must wait before its next
 * request because a quota was exceeded. Every generated response class whose schema has the field implements this, so
 * quota enforcement sets it without knowing the API. Versions without the field leave it out on the wire.
 */
public interface ThrottledResponse extends ApiMessage {
    int throttleTimeMs();

    ThrottledResponse setThrottleTimeMs(int value);
}
