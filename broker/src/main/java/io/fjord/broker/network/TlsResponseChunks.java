package io.fjord.broker.network;

import io.fjord.broker.network.tls.TlsChannelSecurity;
import io.fjord.protocol.codec.EncodedResponse;
import io.fjord.protocol.message.FileRegionRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A whole response with file regions, read in chunks for a TLS connection: sendfile cannot encrypt, so the segment
 * data is copied through the TLS handler instead of zero-copy. Every chunk but the last holds exactly
 * {@link #CHUNK_BYTES}, a multiple of a TLS record's plaintext, whatever the parts' sizes: the TLS handler then cuts
 * each chunk into whole records without copying, where chunks that end mid-record (a response's header buffers, a
 * region's tail) make it copy the pieces of every straddling record into a new buffer first. Netty's
 * {@code ChunkedWriteHandler} reads a chunk only while the connection is writable, so a large fetch holds at most a
 * few chunks in memory. Each region's segment reference goes back to the log once: when its last byte was read, or
 * when the input is closed first (the connection dropped); the file itself stays open (the log shares it).
 *
 * <p>Not thread-safe: read and closed on the connection's event loop (where the chunk handler runs).
 */
final class TlsResponseChunks implements ChunkedInput<ByteBuf> {
    /** Four TLS records a chunk: few chunks per fetch, still little memory held per connection. */
    static final int CHUNK_BYTES = 4 * TlsChannelSecurity.RECORD_PLAINTEXT_BYTES;

    private final List<Object> parts;
    private final long lengthBytes;
    private long progressBytes;
    /** The part the next chunk starts in, and how many of its bytes were read already. */
    private int partIndex;
    private long partOffsetBytes;
    /** Regions before this part index were released. */
    private int releasedBefore;
    private boolean closed;

    TlsResponseChunks(EncodedResponse response) {
        this.parts = response.parts();
        long total = 0;
        for (Object part : parts) {
            total += sizeOf(part);
        }
        this.lengthBytes = total;
    }

    /** Whether a response carries file regions, the parts that need this chunked copy on a TLS connection. */
    static boolean hasFileRegions(EncodedResponse response) {
        for (Object part : response.parts()) {
            if (part instanceof FileRegionRecords) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isEndOfInput() {
        return progressBytes >= lengthBytes;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            releaseRegionsBefore(parts.size());
        }
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext context) throws Exception {
        return readChunk(context.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (isEndOfInput() || closed) {
            return null;
        }
        int size = (int) Math.min(CHUNK_BYTES, lengthBytes - progressBytes);
        // Direct: the file read lands in it without the JDK's bounce buffer; the TLS engine copies it out to encrypt.
        ByteBuf chunk = allocator.directBuffer(size, size);
        boolean done = false;
        try {
            while (chunk.isWritable()) {
                Object part = parts.get(partIndex);
                int count = (int) Math.min(chunk.writableBytes(), sizeOf(part) - partOffsetBytes);
                if (part instanceof ByteBuffer buffer) {
                    chunk.writeBytes(buffer.slice(buffer.position() + (int) partOffsetBytes, count));
                } else {
                    FileRegionReads.readInto((FileRegionRecords) part, partOffsetBytes, count, chunk);
                }
                partOffsetBytes += count;
                if (partOffsetBytes == sizeOf(part)) {
                    partIndex++;
                    partOffsetBytes = 0;
                    releaseRegionsBefore(partIndex);
                }
            }
            progressBytes += size;
            done = true;
            return chunk;
        } finally {
            if (!done) {
                chunk.release();
            }
        }
    }

    /** Hands back the segment references of the regions before the given part index, each once. */
    private void releaseRegionsBefore(int end) {
        for (; releasedBefore < end; releasedBefore++) {
            if (parts.get(releasedBefore) instanceof FileRegionRecords region) {
                region.release().run();
            }
        }
    }

    private static long sizeOf(Object part) {
        return part instanceof ByteBuffer buffer ? buffer.remaining() : ((FileRegionRecords) part).sizeInBytes();
    }

    @Override
    public long length() {
        return lengthBytes;
    }

    @Override
    public long progress() {
        return progressBytes;
    }
}
