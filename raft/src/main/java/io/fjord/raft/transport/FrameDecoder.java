package io.fjord.raft.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a connection's bytes into Kafka frames (a 4-byte size, then that many bytes), each passed on as a heap
 * {@link ByteBuffer} without the size. A size below zero or above {@code frameBytesMax} closes the connection with a
 * logged reason before anything is buffered for it.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int frameBytesMax;

    FrameDecoder(int frameBytesMax) {
        this.frameBytesMax = frameBytesMax;
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf input, List<Object> output) {
        while (input.readableBytes() >= 4 && context.channel().isActive()) {
            int size = input.getInt(input.readerIndex());
            if (size < 0 || size > frameBytesMax) {
                LOG.warn("Closing Raft connection {}: frame size {} outside [0, {}]", context.channel().remoteAddress(),
                        size, frameBytesMax);
                input.skipBytes(input.readableBytes());
                context.close();
                return;
            }
            if (input.readableBytes() < 4 + size) {
                return;
            }
            input.skipBytes(4);
            byte[] frame = new byte[size];
            input.readBytes(frame);
            output.add(ByteBuffer.wrap(frame));
        }
    }
}
