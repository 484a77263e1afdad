package io.fjord.broker.network;

import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.EOFException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A region of a segment file read in chunks into buffers, for connections whose bytes are transformed on the way
 * (TLS): sendfile cannot encrypt, so the fetch path copies through the TLS handler here instead of zero-copy. Netty's
 * {@code ChunkedWriteHandler} reads a chunk only while the connection is writable, so a large fetch holds at most a
 * few chunks in memory. Closing it (at the end, or when the connection drops first) hands the segment reference back
 * to the log, once; the file itself stays open (the log shares it).
 *
 * <p>Not thread-safe: read on the connection's event loop; {@link #close()} is idempotent from any thread.
 */
final class FileRegionChunks implements ChunkedInput<ByteBuf> {
    /** TLS records carry at most 16 KiB; a few records a chunk keep the handler's per-chunk work small. */
    static final int CHUNK_BYTES = 64 * 1024;

    private final FileChannel file;
    private final long start;
    private final long end;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();
    private long position;

    FileRegionChunks(FileRegionRecords records) {
        this.file = records.channel();
        this.start = records.position();
        this.end = records.position() + records.sizeInBytes();
        this.release = records.release();
        this.position = start;
    }

    @Override
    public boolean isEndOfInput() {
        return position >= end;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext context) throws Exception {
        return readChunk(context.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (isEndOfInput()) {
            return null;
        }
        int size = (int) Math.min(CHUNK_BYTES, end - position);
        ByteBuf chunk = allocator.buffer(size);
        boolean done = false;
        try {
            int read = 0;
            while (read < size) {
                int count = chunk.writeBytes(file, position + read, size - read);
                if (count < 0) {
                    // The segment was truncated under the region: the response cannot be completed.
                    throw new EOFException("segment file ended " + (end - position - read) + " bytes early");
                }
                read += count;
            }
            position += size;
            done = true;
            return chunk;
        } finally {
            if (!done) {
                chunk.release();
            }
        }
    }

    @Override
    public long length() {
        return end - start;
    }

    @Override
    public long progress() {
        return position - start;
    }
}
