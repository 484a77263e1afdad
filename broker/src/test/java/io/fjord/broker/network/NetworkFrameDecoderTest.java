package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/** {@link FrameDecoder} on an embedded channel, where the order of event-loop tasks is under the test's control. */
class NetworkFrameDecoderTest {
    private final Queue<Frame> frames = new ArrayDeque<>();

    private static ByteBuf bytes(int... values) {
        ByteBuf buffer = Unpooled.buffer();
        for (int value : values) {
            buffer.writeByte(value);
        }
        return buffer;
    }

    private EmbeddedChannel channel(RequestMemoryPool pool) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new FrameDecoder(1024, pool, new ReadGate(channel), frames::add,
                ConnectionLog.withDefaults()));
        return channel;
    }

    @Test
    void cutsFramesAndReservesTheirSize() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        EmbeddedChannel channel = channel(pool);
        channel.writeInbound(bytes(0, 0, 0, 3, 1, 2));
        assertThat(frames.poll()).isNull();
        assertThat(pool.reservedBytes()).isEqualTo(3);
        channel.writeInbound(bytes(3, 0, 0, 0, 1, 9));

        Frame first = frames.poll();
        Frame second = frames.poll();
        assertThat(first.reservedBytes()).isEqualTo(3);
        assertThat(first.content().readableBytes()).isEqualTo(3);
        assertThat(second.content().readByte()).isEqualTo((byte) 9);
        assertThat(pool.reservedBytes()).isEqualTo(4);
        first.content().release();
        second.content().release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aFrameWaitingForMemoryStopsReadingAndIsDecodedFromBufferedBytesOnceGranted() {
        RequestMemoryPool pool = new RequestMemoryPool(10);
        pool.reserveOrWait(10, () -> { });
        EmbeddedChannel channel = channel(pool);
        channel.writeInbound(bytes(0, 0, 0, 2, 7, 8));
        assertThat(frames.poll()).isNull();
        assertThat(channel.config().isAutoRead()).isFalse();

        pool.release(10);
        channel.runPendingTasks();
        Frame frame = frames.poll();
        assertThat(frame).as("decoded without another read").isNotNull();
        assertThat(frame.content().readableBytes()).isEqualTo(2);
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(pool.reservedBytes()).isEqualTo(2);
        frame.content().release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aGrantArrivingAsTheConnectionClosesIsGivenBackExactlyOnce() {
        RequestMemoryPool pool = new RequestMemoryPool(10);
        pool.reserveOrWait(10, () -> { });
        EmbeddedChannel channel = channel(pool);
        channel.writeInbound(bytes(0, 0, 0, 5));
        pool.release(10); // the grant is queued on the event loop, ahead of the close's own tasks
        channel.close();
        channel.runPendingTasks();

        assertThat(pool.reservedBytes()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionClosedInTheMiddleOfAFrameGivesItsReservationBack() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        EmbeddedChannel channel = channel(pool);
        channel.writeInbound(bytes(0, 0, 0, 50, 1, 2, 3));
        assertThat(pool.reservedBytes()).isEqualTo(50);
        channel.close();
        channel.runPendingTasks();
        assertThat(pool.reservedBytes()).isZero();
    }

    @Test
    void aSizeOutsideTheLimitClosesTheConnection() {
        for (int[] prefix : new int[][] {{0, 0, 4, 1}, {0xff, 0xff, 0xff, 0xfe}}) {
            RequestMemoryPool pool = new RequestMemoryPool(100_000);
            EmbeddedChannel channel = channel(pool);
            channel.writeInbound(bytes(prefix));
            assertThat(channel.isActive()).isFalse();
            assertThat(pool.reservedBytes()).isZero();
        }
    }

    @Test
    void completeFramesWaitingForMemoryWhenThePeerClosesAreStillHandedOnOnceGranted() {
        RequestMemoryPool pool = new RequestMemoryPool(10);
        pool.reserveOrWait(10, () -> { });
        EmbeddedChannel channel = channel(pool);
        // Two complete frames, then the start of a third; the first waits for memory.
        channel.writeInbound(bytes(0, 0, 0, 2, 7, 8, 0, 0, 0, 3, 4, 5, 6, 0, 0, 0, 9, 1));
        channel.close();
        channel.runPendingTasks();
        assertThat(frames).isEmpty();

        pool.release(10);
        channel.runPendingTasks();
        Frame first = frames.poll();
        Frame second = frames.poll();
        assertThat(first).as("read before the close, so still handled").isNotNull();
        assertThat(second).isNotNull();
        assertThat(frames).isEmpty();
        assertThat(first.content().readByte()).isEqualTo((byte) 7);
        assertThat(second.content().readableBytes()).isEqualTo(3);
        assertThat(pool.reservedBytes()).isEqualTo(5);

        // The incomplete third frame waits for memory too; once granted, its reservation and the bytes are released.
        first.content().release();
        second.content().release();
        pool.release(first.reservedBytes() + second.reservedBytes());
        channel.runPendingTasks();
        assertThat(frames).isEmpty();
        assertThat(pool.reservedBytes()).isZero();
        assertThat(first.content().refCnt()).as("the buffered bytes are released").isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void completeFramesBufferedWhenThePeerClosesAreHandedOnBeforeTheCloseIsSignalled() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        EmbeddedChannel channel = new EmbeddedChannel();
        Queue<String> events = new ArrayDeque<>();
        channel.pipeline().addLast(new FrameDecoder(1024, pool, new ReadGate(channel),
                frame -> {
                    events.add("frame");
                    frame.content().release();
                    pool.release(frame.reservedBytes());
                }, ConnectionLog.withDefaults()), new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(io.netty.channel.ChannelHandlerContext context) {
                        events.add("inactive");
                    }
                });
        channel.writeInbound(bytes(0, 0, 0, 1, 7, 0, 0, 0, 1));
        channel.close();
        channel.runPendingTasks();
        assertThat(events).containsExactly("frame", "inactive");
        assertThat(pool.reservedBytes()).isZero();
    }
}
