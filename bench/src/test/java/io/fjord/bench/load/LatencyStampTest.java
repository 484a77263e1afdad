package io.fjord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyStampTest {
    @Test
    void theStampOverwritesTheStartOfTheValueOnly() {
        byte[] value = new byte[100];
        value[16] = 7;
        value[99] = 9;
        LatencyStamp.write(value, 123_456_789_012L, 41);
        assertThat(LatencyStamp.dueNanos(value)).isEqualTo(123_456_789_012L);
        assertThat(LatencyStamp.index(value)).isEqualTo(41);
        assertThat(value[16]).isEqualTo((byte) 7);
        assertThat(value[99]).isEqualTo((byte) 9);
    }

    @Test
    void aValueTooShortCarriesNoStamp() {
        assertThat(LatencyStamp.dueNanos(new byte[15])).isEqualTo(-1);
        assertThat(LatencyStamp.index(null)).isEqualTo(-1);
    }
}
