package io.fjord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacerTest {
    @Test
    void recordsAreDueEvenlyFromTheStart() {
        Pacer pacer = new Pacer(1_000, 4);
        assertThat(pacer.dueNanos(0, 5)).isEqualTo(1_000);
        assertThat(pacer.dueNanos(1, 5)).isEqualTo(1_000 + 250_000_000L);
        assertThat(pacer.dueNanos(8, 5)).isEqualTo(1_000 + 2_000_000_000L);
    }

    @Test
    void withoutARateEveryRecordIsDueNow() {
        Pacer pacer = new Pacer(1_000, 0);
        assertThat(pacer.dueNanos(1_000_000, 42)).isEqualTo(42);
        long before = System.nanoTime();
        assertThat(pacer.awaitDue(7)).isGreaterThanOrEqualTo(before);
    }

    @Test
    void awaitingReturnsTheDueTimeNotTheWakeUp() {
        long start = System.nanoTime();
        Pacer pacer = new Pacer(start, 1_000);
        assertThat(pacer.awaitDue(3)).isEqualTo(start + 3_000_000L);
        assertThat(System.nanoTime()).isGreaterThanOrEqualTo(start + 3_000_000L);
    }
}
