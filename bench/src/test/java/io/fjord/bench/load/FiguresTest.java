package io.fjord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class FiguresTest {
    @Test
    void ratesUseSecondsAndMebibytes() {
        assertThat(Figures.perSecond(500, 250_000_000L)).isEqualTo(2000.0);
        assertThat(Figures.megabytesPerSecond(3L * 1024 * 1024, 2_000_000_000L)).isEqualTo(1.5);
        assertThat(Figures.perSecond(10, 0)).isZero();
    }

    @Test
    void summaryEndsWithAMachineReadableResultLine() {
        Histogram latencies = new Histogram(LoadStatistics.HIGHEST_LATENCY_MICROS, 3);
        for (int micros = 1; micros <= 1000; micros++) {
            latencies.recordValue(micros * 1000L);
        }
        String summary = Figures.summary("produce", "send-to-ack", 1000, 100_000, 2, 2_000_000_000L, latencies);
        String result = summary.lines().filter(line -> line.startsWith("RESULT ")).findFirst().orElseThrow();
        assertThat(result).contains("mode=produce", "records=1000", "bytes=100000", "errors=2", "seconds=2.000",
                "records_per_sec=500.0");
        double p99 = Double.parseDouble(result.replaceAll(".* p99_ms=([0-9.]+) .*", "$1"));
        assertThat(p99).isCloseTo(990.0, within(1.0));
        assertThat(summary).contains("send-to-ack latency: p50 500");
    }

    @Test
    void summaryWithoutLatenciesPrintsNoLatencyLine() {
        Histogram empty = new Histogram(LoadStatistics.HIGHEST_LATENCY_MICROS, 3);
        String summary = Figures.summary("consume", "record age", 0, 0, 0, 1_000_000_000L, empty);
        assertThat(summary).doesNotContain("record age latency").contains("p50_ms=0.000");
    }
}
