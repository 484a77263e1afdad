package io.fjord.storage.internal.cleaner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetMapTest {
    private static ByteBuffer key(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheLatestOffsetPerKey() {
        OffsetMap map = new OffsetMap(24 * 1000, 0.9);
        for (int offset = 0; offset < 600; offset++) {
            map.put(key("k" + offset % 300), offset);
        }
        assertThat(map.size()).isEqualTo(300);
        assertThat(map.capacity()).isEqualTo(900);
        for (int index = 0; index < 300; index++) {
            assertThat(map.get(key("k" + index))).isEqualTo(300 + index);
        }
        assertThat(map.get(key("absent"))).isEqualTo(-1);
        assertThat(map.latestOffset()).isEqualTo(599);
    }

    @Test
    void offsetZeroIsStoredAndClearEmptiesTheMap() {
        OffsetMap map = new OffsetMap(24 * 4, 1.0);
        map.put(key("a"), 0);
        assertThat(map.get(key("a"))).isZero();
        map.clear();
        assertThat(map.get(key("a"))).isEqualTo(-1);
        assertThat(map.size()).isZero();
        assertThat(map.latestOffset()).isEqualTo(-1);
    }

    @Test
    void reportsWhenFullAndStillAnswersLookupsForAbsentKeys() {
        OffsetMap map = new OffsetMap(24 * 4, 1.0); // one slot always stays free: three entries
        assertThat(map.capacity()).isEqualTo(3);
        map.put(key("a"), 1);
        map.put(key("b"), 2);
        assertThat(map.hasRoomFor(1)).isTrue();
        assertThat(map.hasRoomFor(2)).isFalse();
        map.put(key("c"), 3);
        map.put(key("a"), 4); // an existing key needs no room
        assertThat(map.get(key("a"))).isEqualTo(4);
        assertThat(map.get(key("zzz"))).isEqualTo(-1);
        assertThatThrownBy(() -> map.put(key("d"), 5)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsMemoryForFewerThanTwoSlots() {
        assertThatThrownBy(() -> new OffsetMap(47, 0.9)).isInstanceOf(IllegalArgumentException.class);
    }
}
