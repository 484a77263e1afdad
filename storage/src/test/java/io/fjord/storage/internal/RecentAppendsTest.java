package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class RecentAppendsTest {
    private static ByteBuffer bytes(int count, int first) {
        ByteBuffer buffer = ByteBuffer.allocate(count);
        for (int index = 0; index < count; index++) {
            buffer.put((byte) (first + index));
        }
        return buffer.flip();
    }

    @Test
    void aReadIsFoundWhenOneAppendHoldsAllOfIt() {
        ByteBuffer source = bytes(10, 0);
        RecentAppends appends = RecentAppends.NONE.with(100, source).with(110, bytes(5, 10));
        assertThat(source.remaining()).as("the source is not consumed").isEqualTo(10);
        assertThat(appends.totalBytes()).isEqualTo(15);
        assertThat(appends.find(100, 10)).isEqualTo(bytes(10, 0));
        assertThat(appends.find(104, 3)).isEqualTo(bytes(3, 4));
        assertThat(appends.find(110, 5)).isEqualTo(bytes(5, 10));
        assertThat(appends.find(108, 4)).as("across two appends: read from the file").isNull();
        assertThat(appends.find(99, 2)).isNull();
        assertThat(appends.find(112, 4)).isNull();
        assertThat(RecentAppends.NONE.find(0, 1)).isNull();
        ByteBuffer view = appends.find(100, 10);
        assertThatThrownBy(() -> view.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    }

    @Test
    void olderAppendsGiveWayToNewerOnesWithinTheBound() {
        int size = RecentAppends.APPEND_BYTES_MAX - 2_000;
        RecentAppends two = RecentAppends.NONE.with(0, bytes(size, 0)).with(size, bytes(size, 1));
        assertThat(two.totalBytes()).isEqualTo(2 * size);
        RecentAppends three = two.with(2 * size, bytes(size, 2));
        assertThat(three.totalBytes()).isEqualTo(2 * size).isLessThanOrEqualTo(RecentAppends.BYTES_MAX);
        assertThat(three.find(0, 1)).isNull();
        assertThat(three.find(size, size)).isEqualTo(bytes(size, 1));
        assertThat(three.find(2 * size, size)).isEqualTo(bytes(size, 2));
        assertThat(two.find(0, size)).as("the older object is unchanged").isEqualTo(bytes(size, 0));
    }

    @Test
    void anAppendOverHalfTheBoundIsRefused() {
        assertThatThrownBy(() -> RecentAppends.NONE.with(0, bytes(RecentAppends.APPEND_BYTES_MAX + 1, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
