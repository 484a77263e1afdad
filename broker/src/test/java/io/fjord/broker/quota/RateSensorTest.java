package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateSensorTest {
    @Test
    void aFirstBurstIsSpreadOverAllWindowsButTheCurrentOne() {
        RateSensor sensor = new RateSensor(11, 1000);

        sensor.record(10_000, 5_000);

        // 10 full windows are assumed, as Kafka's Rate.windowSize does: 10,000 bytes over 10 s.
        assertThat(sensor.windowSizeMs(5_000)).isEqualTo(10_000);
        assertThat(sensor.ratePerSecond(5_000)).isCloseTo(1_000, within(0.001));
    }

    @Test
    void theRateCountsTheLiveWindowsOverTheTimeTheySpan() {
        RateSensor sensor = new RateSensor(3, 1000);
        sensor.record(100, 10_000);
        sensor.record(200, 11_500);
        sensor.record(300, 12_999);

        // Windows starting at 10, 11 and 12 s: 600 over 2.999 s.
        assertThat(sensor.windowSizeMs(12_999)).isEqualTo(2_999);
        assertThat(sensor.ratePerSecond(12_999)).isCloseTo(600 * 1000.0 / 2_999, within(0.001));
        // At 13 s the 10 s window has expired: 500 over the two windows since 11 s.
        assertThat(sensor.ratePerSecond(13_000)).isCloseTo(250, within(0.001));
        // Long idle: every window expired, nothing counts.
        assertThat(sensor.ratePerSecond(60_000)).isZero();
    }

    @Test
    void aSlotIsReusedForItsNextWindow() {
        RateSensor sensor = new RateSensor(2, 1000);
        sensor.record(1_000, 0);
        sensor.record(1_000, 2_000); // the slot of window 0 becomes window 2

        assertThat(sensor.ratePerSecond(2_000)).isCloseTo(1_000, within(0.001));
    }

    @Test
    void throttleTimeIsKafkasFormula() {
        assertThat(QuotaThrottle.throttleTimeMs(1_000, 1_000, 10_000)).isZero();
        // 50 % over the bound for a 10 s window: 5 s more at no traffic brings the rate back to the bound.
        assertThat(QuotaThrottle.throttleTimeMs(1_500, 1_000, 10_000)).isEqualTo(5_000);
        assertThat(QuotaThrottle.throttleTimeMs(1_000.1, 1_000, 10_000)).isEqualTo(1);
    }
}
