package io.fjord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadStatisticsTest {
    @Test
    void intervalsHoldWhatArrivedSinceThePreviousOneAndTheTotalHoldsEverything() {
        LoadStatistics statistics = new LoadStatistics();
        statistics.record(1, 100, 2_000);
        statistics.record(1, 100, 4_000);
        LoadStatistics.Interval first = statistics.interval();
        assertThat(first.records()).isEqualTo(2);
        assertThat(first.bytes()).isEqualTo(200);
        assertThat(first.latencies().getTotalCount()).isEqualTo(2);

        statistics.record(3, 300, 8_000);
        statistics.count(1, 50);
        statistics.error();
        LoadStatistics.Interval second = statistics.interval();
        assertThat(second.records()).isEqualTo(4);
        assertThat(second.bytes()).isEqualTo(350);
        assertThat(second.latencies().getTotalCount()).isEqualTo(1);

        statistics.record(1, 100, 16_000);
        assertThat(statistics.total().getTotalCount()).isEqualTo(4);
        assertThat(statistics.total().getMaxValue()).isBetween(15_990L, 16_010L);
        assertThat(statistics.records()).isEqualTo(7);
        assertThat(statistics.errors()).isEqualTo(1);
    }

    @Test
    void outOfRangeLatenciesAreClamped() {
        LoadStatistics statistics = new LoadStatistics();
        statistics.record(1, 1, -5);
        statistics.record(1, 1, Long.MAX_VALUE);
        assertThat(statistics.total().getTotalCount()).isEqualTo(2);
        assertThat(statistics.total().getMinValue()).isZero();
    }
}
