package io.fjord.protocol.message;

import java.nio.ByteBuffer;

/**
 * Record batches held in a buffer, from its position to its limit. Thread-safe as long as nobody writes the buffer.
 */
public record BufferRecords(ByteBuffer buffer) implements Records {
    @Override
    public int sizeInBytes() {
        return buffer.remaining();
    }
}
