package io.fjord.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.concurrent.RejectedExecutionException;

/**
 * Cuts the byte stream into request frames: a 4-byte size, then that many bytes. The size is checked against
 * {@code socket.request.max.bytes} before anything is buffered for it (a bad size closes the connection with a logged
 * reason), and reserved in the node-wide {@link RequestMemoryPool} before the body is read. Frames go straight to
 * the connection's {@link FrameSink}.
 *
 * <p>When the peer closes the connection, every complete frame already read is still cut and handed on, waiting for
 * request memory like any other (Kafka handles every complete request it read before the close); only the bytes of
 * an incomplete last frame are dropped. That is why frames do not travel through the pipeline: Netty removes the
 * handlers soon after the close, while a frame may still wait for memory.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
    static final int SIZE_PREFIX_BYTES = 4;

    private final int frameBytesMax;
    private final RequestMemoryPool memoryPool;
    private final ReadGate readGate;
    private final FrameSink sink;
    private final ConnectionLog log;
    /** Bytes read and not yet cut into frames; null when there are none. */
    private ByteBuf buffered;
    /** Size of the frame being read, reserved in the pool (or being waited for), or -1 between frames. */
    private int expectedBytes = -1;
    private boolean waitingForMemory;
    private boolean rejected;
    private boolean inputClosed;

    FrameDecoder(int frameBytesMax, RequestMemoryPool memoryPool, ReadGate readGate, FrameSink sink,
                 ConnectionLog log) {
        this.frameBytesMax = frameBytesMax;
        this.memoryPool = memoryPool;
        this.readGate = readGate;
        this.sink = sink;
        this.log = log;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        ByteBuf input = (ByteBuf) message;
        if (rejected || inputClosed) {
            input.release();
            return;
        }
        buffered = buffered == null ? input
                : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(context.alloc(), buffered, input);
        cutFrames(context);
    }

    private void cutFrames(ChannelHandlerContext context) {
        while (!waitingForMemory && !rejected && buffered != null) {
            if (expectedBytes < 0) {
                if (buffered.readableBytes() < SIZE_PREFIX_BYTES) {
                    break;
                }
                int size = buffered.readInt();
                if (size < 0 || size > frameBytesMax) {
                    reject(context, size);
                    return;
                }
                expectedBytes = size;
                if (!memoryPool.reserveOrWait(size, () -> grant(context, size))) {
                    waitingForMemory = true;
                    readGate.pause(ReadGate.Reason.MEMORY);
                    break;
                }
            }
            if (buffered.readableBytes() < expectedBytes) {
                break;
            }
            Frame frame = new Frame(buffered.readRetainedSlice(expectedBytes),
                    memoryPool.isBounded() ? expectedBytes : 0);
            expectedBytes = -1;
            sink.frameReceived(frame);
        }
        if (buffered != null) {
            if (!buffered.isReadable()) {
                buffered.release();
                buffered = null;
            } else if (buffered.refCnt() == 1) {
                buffered.discardSomeReadBytes(); // not while frames share the bytes: it moves them
            }
        }
        if (inputClosed && !waitingForMemory) {
            releaseAll(); // no more bytes will come: what is left is an incomplete frame
        }
    }

    private void reject(ChannelHandlerContext context, int size) {
        rejected = true;
        log.warn(ConnectionLog.Cause.BAD_FRAME_SIZE, context.channel().remoteAddress(),
                "Closing connection from {}: request size {} is outside [0, {}] (socket.request.max.bytes)",
                context.channel().remoteAddress(), size, frameBytesMax);
        releaseAll();
        // Through the whole pipeline, so the connection's handler knows this node closed it.
        context.channel().close();
    }

    /** Runs on the releasing thread: hands the reservation to this connection's event loop, or back if it stopped. */
    private void grant(ChannelHandlerContext context, int size) {
        try {
            context.executor().execute(() -> memoryGranted(context));
        } catch (RejectedExecutionException e) {
            memoryPool.release(size); // the node is stopping; the buffered bytes go with the event loop
        }
    }

    private void memoryGranted(ChannelHandlerContext context) {
        waitingForMemory = false;
        if (!inputClosed) {
            readGate.resume(ReadGate.Reason.MEMORY);
        }
        // Bytes already buffered are cut now rather than waiting for the next read (or for ever, once closed).
        cutFrames(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        inputClosed = true;
        if (waitingForMemory && buffered != null) {
            // The frames behind the wait were read before the close and are still owed handling. An unpooled copy,
            // so that nothing leaks from the pool if the node stops before the memory comes.
            ByteBuf copy = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(buffered));
            buffered.release();
            buffered = copy;
        }
        cutFrames(context);
        context.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        if (!waitingForMemory) {
            releaseAll();
        }
        // else the grant, when it comes, cuts what is left and then releases it.
    }

    private void releaseAll() {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        if (expectedBytes >= 0) {
            memoryPool.release(expectedBytes); // reserved for a frame that will never be complete
            expectedBytes = -1;
        }
    }
}
