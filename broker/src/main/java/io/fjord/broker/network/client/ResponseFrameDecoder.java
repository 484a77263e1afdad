package io.fjord.broker.network.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;

/**
 * Cuts the bytes a node receives from another node's listener into response frames (a 4-byte size, then that many
 * bytes) and hands each on as a heap {@link ByteBuffer} of exactly the frame's bytes, without its size prefix.
 *
 * <p>Each frame is copied once, from the socket's read buffers into a buffer allocated for it when its size is known,
 * after checking the size against the bound. A generic length-field decoder instead gathers the reads in a growing
 * buffer (copied again at every growth), and the frame then had to be copied out of Netty's pooled memory to outlive
 * the event loop's read: a Fetch response's records are appended by the replica fetcher thread. The frame buffer
 * belongs to the garbage collector alone, so the records decoded as slices of it (Kafka's own decoding shares the
 * bytes) stay valid for as long as anything refers to them, on any thread, and nothing can leak.
 *
 * <p>Memory: at most one frame of at most {@code frameBytesMax} bytes per connection is being filled at a time. A
 * size outside {@code [0, frameBytesMax]} fails the read with {@link FrameSizeException} (the connection's handler
 * closes it with a logged reason), before anything is allocated for it.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop. Public for the receive-path benchmark.
 */
public final class ResponseFrameDecoder extends ChannelInboundHandlerAdapter {
    static final int SIZE_PREFIX_BYTES = 4;

    /** A response size outside the bound: the stream cannot be trusted any more. */
    public static final class FrameSizeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FrameSizeException(int sizeBytes, int frameBytesMax) {
            super("response size " + sizeBytes + " is outside [0, " + frameBytesMax + "]", null, false, false);
        }
    }

    private final int frameBytesMax;
    /** The size prefix being read; between frames only. */
    private final ByteBuffer sizePrefix = ByteBuffer.allocate(SIZE_PREFIX_BYTES);
    /** The frame being filled, or null while its size prefix is read. */
    private ByteBuffer frame;
    private boolean failed;

    public ResponseFrameDecoder(int frameBytesMax) {
        this.frameBytesMax = frameBytesMax;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        ByteBuf input = (ByteBuf) message;
        try {
            while (!failed && input.isReadable()) {
                if (frame == null && !readSizePrefix(input)) {
                    return;
                }
                int copied = Math.min(input.readableBytes(), frame.remaining());
                int limit = frame.limit();
                frame.limit(frame.position() + copied);
                input.readBytes(frame);
                frame.limit(limit);
                if (!frame.hasRemaining()) {
                    ByteBuffer complete = frame.flip();
                    frame = null;
                    context.fireChannelRead(complete);
                }
            }
        } finally {
            input.release();
        }
    }

    /** Reads what it can of the size prefix; once complete, allocates the frame. Whether the frame is allocated. */
    private boolean readSizePrefix(ByteBuf input) {
        while (sizePrefix.hasRemaining() && input.isReadable()) {
            sizePrefix.put(input.readByte());
        }
        if (sizePrefix.hasRemaining()) {
            return false;
        }
        int sizeBytes = sizePrefix.getInt(0);
        sizePrefix.clear();
        if (sizeBytes < 0 || sizeBytes > frameBytesMax) {
            failed = true; // the rest of the stream is unframed: everything after this is dropped
            throw new FrameSizeException(sizeBytes, frameBytesMax);
        }
        frame = ByteBuffer.allocate(sizeBytes);
        return true;
    }

    /** Whether part of a frame (or of its size prefix) has been read and not yet handed on; for tests. */
    boolean isInsideFrame() {
        return frame != null || sizePrefix.position() > 0;
    }
}
