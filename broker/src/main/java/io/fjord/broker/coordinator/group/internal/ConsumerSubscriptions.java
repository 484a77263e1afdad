package io.fjord.broker.coordinator.group.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the topic list out of a consumer's subscription (Kafka's {@code ConsumerProtocolSubscription}, versions
 * 0-3, and later ones, which keep the topics first: an int16 version, then an int32 count of int16-length topic
 * names). The coordinator needs only the topics,
 * to keep subscribed topics' offsets from expiring and from deletion.
 *
 * <p>Stateless and thread-safe.
 */
final class ConsumerSubscriptions {
    private ConsumerSubscriptions() {
    }

    /** The subscribed topics, or null when the bytes are not a subscription this reader knows. */
    static List<String> topics(byte[] subscription) {
        if (subscription == null) {
            return null;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(subscription);
            short version = buffer.getShort();
            if (version < 0) {
                return null;
            }
            int count = buffer.getInt();
            if (count < 0 || count > buffer.remaining() / 2) {
                return null;
            }
            List<String> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                short length = buffer.getShort();
                if (length < 0 || length > buffer.remaining()) {
                    return null;
                }
                byte[] name = new byte[length];
                buffer.get(name);
                topics.add(new String(name, StandardCharsets.UTF_8));
            }
            return topics;
        } catch (BufferUnderflowException damaged) {
            return null;
        }
    }
}
