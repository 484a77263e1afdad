package io.fjord.broker.network.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ResponseFrameDecoder} on an embedded channel. */
class ResponseFrameDecoderTest {
    private static final int FRAME_BYTES_MAX = 1024;

    private final ResponseFrameDecoder decoder = new ResponseFrameDecoder(FRAME_BYTES_MAX);
    private final EmbeddedChannel channel = new EmbeddedChannel(decoder);

    private static byte[] framed(byte[]... bodies) {
        ByteBuffer stream = ByteBuffer.allocate(1 << 16);
        for (byte[] body : bodies) {
            stream.putInt(body.length).put(body);
        }
        byte[] bytes = new byte[stream.position()];
        stream.flip().get(bytes);
        return bytes;
    }

    private static byte[] body(Random random, int sizeBytes) {
        byte[] body = new byte[sizeBytes];
        random.nextBytes(body);
        return body;
    }

    private List<ByteBuffer> frames() {
        List<ByteBuffer> frames = new ArrayList<>();
        for (Object frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frames.add((ByteBuffer) frame);
        }
        return frames;
    }

    private static byte[] contents(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void framesCutAtEveryPossibleReadBoundaryComeOutWhole() {
        Random random = new Random(42);
        byte[] first = body(random, 300);
        byte[] empty = new byte[0];
        byte[] last = body(random, 7);
        byte[] stream = framed(first, empty, last);
        for (int cut = 0; cut <= stream.length; cut++) {
            channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));

            List<ByteBuffer> frames = frames();
            assertThat(frames).as("cut at %d", cut).hasSize(3);
            assertThat(contents(frames.get(0))).isEqualTo(first);
            assertThat(contents(frames.get(1))).isEmpty();
            assertThat(contents(frames.get(2))).isEqualTo(last);
            assertThat(decoder.isInsideFrame()).isFalse();
        }
    }

    @Test
    void aFrameIsItsOwnHeapBufferOfExactlyItsSizeAndEveryReadBufferIsReleased() {
        byte[] body = body(new Random(7), 500);
        byte[] stream = framed(body);
        List<ByteBuf> reads = new ArrayList<>();
        for (int offset = 0; offset < stream.length; offset += 64) {
            ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            read.writeBytes(stream, offset, Math.min(64, stream.length - offset));
            reads.add(read);
            channel.writeInbound(read);
        }

        List<ByteBuffer> frames = frames();
        assertThat(frames).hasSize(1);
        ByteBuffer frame = frames.get(0);
        // The records decoded from it are slices handed to another thread: it must not be Netty's memory.
        assertThat(frame.hasArray()).isTrue();
        assertThat(frame.array()).hasSize(body.length);
        assertThat(frame.position()).isZero();
        assertThat(contents(frame)).isEqualTo(body);
        assertThat(reads).allSatisfy(read -> assertThat(read.refCnt()).isZero());
    }

    @Test
    void aSizeAboveTheBoundFailsBeforeAllocatingAndDropsTheRest() {
        ByteBuf oversized = Unpooled.buffer().writeInt(FRAME_BYTES_MAX + 1).writeBytes(new byte[16]);

        assertThatThrownBy(() -> channel.writeInbound(oversized))
                .isInstanceOf(ResponseFrameDecoder.FrameSizeException.class)
                .hasMessageContaining("response size " + (FRAME_BYTES_MAX + 1) + " is outside [0, 1024]");
        assertThat(oversized.refCnt()).isZero();
        assertThat(decoder.isInsideFrame()).isFalse();

        ByteBuf after = Unpooled.wrappedBuffer(framed(new byte[] {1, 2}));
        channel.writeInbound(after);
        assertThat(frames()).isEmpty();
        assertThat(after.refCnt()).isZero();
    }

    @Test
    void aNegativeSizeFails() {
        ByteBuf negative = Unpooled.buffer().writeInt(-1);

        assertThatThrownBy(() -> channel.writeInbound(negative))
                .isInstanceOf(ResponseFrameDecoder.FrameSizeException.class)
                .hasMessageContaining("response size -1");
    }

    @Test
    void aFrameOfExactlyTheBoundIsAccepted() {
        byte[] body = body(new Random(3), FRAME_BYTES_MAX);
        channel.writeInbound(Unpooled.wrappedBuffer(framed(body)));

        assertThat(frames()).singleElement().satisfies(frame -> assertThat(contents(frame)).isEqualTo(body));
    }
}
