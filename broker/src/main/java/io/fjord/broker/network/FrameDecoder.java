package io.fjord.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts the byte stream into request frames: a 4-byte size, then that many bytes. The size is checked against
 * {@code socket.request.max.bytes} before anything is buffered for it (a bad size closes the connection with a logged
 * reason), and reserved in the node-wide {@link RequestMemoryPool} before the body is read.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);
    static final int SIZE_PREFIX_BYTES = 4;

    private final int frameBytesMax;
    private final RequestMemoryPool memoryPool;
    private final ReadGate readGate;
    private int expectedBytes = -1;
    private boolean waitingForMemory;

    FrameDecoder(int frameBytesMax, RequestMemoryPool memoryPool, ReadGate readGate) {
        this.frameBytesMax = frameBytesMax;
        this.memoryPool = memoryPool;
        this.readGate = readGate;
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf input, List<Object> output) {
        while (!waitingForMemory && context.channel().isActive()) {
            if (expectedBytes < 0) {
                if (input.readableBytes() < SIZE_PREFIX_BYTES) {
                    return;
                }
                int size = input.readInt();
                if (size < 0 || size > frameBytesMax) {
                    LOG.warn("Closing connection from {}: request size {} is outside [0, {}] (socket.request.max.bytes)",
                            context.channel().remoteAddress(), size, frameBytesMax);
                    input.skipBytes(input.readableBytes());
                    context.close();
                    return;
                }
                expectedBytes = size;
                if (!memoryPool.reserveOrWait(size, () -> grant(context, size))) {
                    waitingForMemory = true;
                    readGate.pause(ReadGate.Reason.MEMORY);
                    return;
                }
            }
            if (input.readableBytes() < expectedBytes) {
                return;
            }
            output.add(new Frame(input.readRetainedSlice(expectedBytes), memoryPool.isBounded() ? expectedBytes : 0));
            expectedBytes = -1;
        }
    }

    /** Runs on the releasing thread: hands the reservation to this connection's event loop, or back if it stopped. */
    private void grant(ChannelHandlerContext context, int size) {
        try {
            context.executor().execute(() -> memoryGranted(context));
        } catch (RejectedExecutionException e) {
            memoryPool.release(size);
        }
    }

    private void memoryGranted(ChannelHandlerContext context) {
        waitingForMemory = false;
        if (!context.channel().isActive()) {
            memoryPool.release(expectedBytes);
            expectedBytes = -1; // else handlerRemoved0, if still to come, would release it again
            return;
        }
        readGate.resume(ReadGate.Reason.MEMORY);
        // Bytes already buffered get decoded now rather than waiting for the next read.
        try {
            channelRead(context, Unpooled.EMPTY_BUFFER);
        } catch (Exception e) {
            context.fireExceptionCaught(e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) throws Exception {
        if (waitingForMemory) {
            // ByteToMessageDecoder reads on when a read produced no frame and auto-read is off; while the frame waits
            // for memory that would buffer its unreserved body, and everything after it, without bound.
            discardSomeReadBytes();
            context.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(context);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext context) {
        if (expectedBytes >= 0 && !waitingForMemory) {
            memoryPool.release(expectedBytes); // the frame was reserved but never completed
            expectedBytes = -1;
        }
    }
}
