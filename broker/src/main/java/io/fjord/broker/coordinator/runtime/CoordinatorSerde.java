package io.fjord.broker.coordinator.runtime;

import java.nio.ByteBuffer;

/**
 * A coordinator's records in its internal topic's bytes: a key, and a value or null (a tombstone). Implementations are
 * stateless and thread-safe.
 *
 * @param <R> the coordinator's record type
 */
public interface CoordinatorSerde<R> {
    ByteBuffer key(R record);

    /** The value's bytes, or null for a tombstone. */
    ByteBuffer value(R record);

    /**
     * The record of a key and value (null for a tombstone), or null for a record of a type this coordinator does not
     * read (Kafka skips unknown types).
     *
     * @throws RuntimeException for damaged bytes (the load fails and is retried)
     */
    R deserialize(ByteBuffer key, ByteBuffer value);
}
