package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class TailBytesTest {
    private static ByteBuffer bytes(int count, int first) {
        ByteBuffer buffer = ByteBuffer.allocate(count);
        for (int index = 0; index < count; index++) {
            buffer.put((byte) (first + index));
        }
        return buffer.flip();
    }

    @Test
    void coversWhatWasAppendedContiguouslyAndViewsItReadOnly() {
        TailBytes tail = TailBytes.startingAt(1000);
        assertThat(tail.covers(1000, 1)).isFalse();
        assertThat(tail.tryAppend(1000, bytes(10, 0))).isTrue();
        assertThat(tail.tryAppend(1010, bytes(5, 10))).isTrue();
        assertThat(tail.endPosition()).isEqualTo(1015);
        assertThat(tail.covers(1000, 15)).isTrue();
        assertThat(tail.covers(999, 2)).isFalse();
        assertThat(tail.covers(1010, 6)).isFalse();
        ByteBuffer view = tail.view(1008, 4);
        assertThat(view.remaining()).isEqualTo(4);
        assertThat(new byte[] {view.get(0), view.get(1), view.get(2), view.get(3)})
                .containsExactly(8, 9, 10, 11);
        assertThatThrownBy(() -> view.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    }

    @Test
    void refusesAGapAndWhatDoesNotFit() {
        TailBytes tail = TailBytes.startingAt(0);
        ByteBuffer source = bytes(10, 0);
        assertThat(tail.tryAppend(5, source)).isFalse();
        assertThat(source.remaining()).as("the source is not consumed").isEqualTo(10);
        assertThat(tail.tryAppend(0, bytes(TailBytes.CAPACITY_BYTES - 4, 0))).isTrue();
        assertThat(tail.tryAppend(TailBytes.CAPACITY_BYTES - 4, bytes(5, 0))).isFalse();
        assertThat(tail.endPosition()).isEqualTo(TailBytes.CAPACITY_BYTES - 4);
        assertThat(tail.tryAppend(TailBytes.CAPACITY_BYTES - 4, bytes(4, 0))).isTrue();
    }

    @Test
    void aCarriedTailKeepsTheBytesFromWhereItStarts() {
        TailBytes tail = TailBytes.startingAt(100);
        tail.tryAppend(100, bytes(50, 0));
        TailBytes next = tail.carryFrom(130);
        assertThat(next.startPosition()).isEqualTo(130);
        assertThat(next.endPosition()).isEqualTo(150);
        assertThat(next.covers(129, 1)).isFalse();
        assertThat(next.view(130, 20)).isEqualTo(bytes(20, 30));
        assertThat(next.tryAppend(150, bytes(3, 50))).isTrue();
        assertThat(next.view(148, 5)).isEqualTo(bytes(5, 48));
        assertThat(tail.view(100, 50)).as("the old tail is unchanged").isEqualTo(bytes(50, 0));
    }
}
