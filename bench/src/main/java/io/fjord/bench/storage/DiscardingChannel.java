package io.fjord.bench.storage;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A channel that accepts every byte and keeps none, standing in for a socket in read benchmarks. The JDK copies a
 * file into such a channel through an 8 KiB direct buffer (no sendfile), so the bytes are really read from the page
 * cache. Stateless and thread-safe.
 */
final class DiscardingChannel implements WritableByteChannel {
    @Override
    public int write(ByteBuffer source) {
        int bytes = source.remaining();
        source.position(source.limit());
        return bytes;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
