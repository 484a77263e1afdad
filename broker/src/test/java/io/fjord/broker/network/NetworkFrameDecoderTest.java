package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** {@link FrameDecoder} on an embedded channel, where the order of event-loop tasks is under the test's control. */
class NetworkFrameDecoderTest {
    private static ByteBuf bytes(int... values) {
        ByteBuf buffer = Unpooled.buffer();
        for (int value : values) {
            buffer.writeByte(value);
        }
        return buffer;
    }

    private static EmbeddedChannel channel(RequestMemoryPool pool) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new FrameDecoder(1024, pool, new ReadGate(channel)));
        return channel;
    }

    @Test
    void cutsFramesAndReservesTheirSize() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        EmbeddedChannel channel = channel(pool);
        channel.writeInbound(bytes(0, 0, 0, 3, 1, 2));
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(pool.reservedBytes()).isEqualTo(3);
        channel.writeInbound(bytes(3, 0, 0, 0, 1, 9));

        Frame first = channel.readInbound();
        Frame second = channel.readInbound();
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
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.config().isAutoRead()).isFalse();

        pool.release(10);
        channel.runPendingTasks();
        Frame frame = channel.readInbound();
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
}
