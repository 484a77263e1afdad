package io.fjord.broker.delayed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DelayedOperationPurgatoryTest {
    private final ManualClock clock = new ManualClock(5_000L);
    private final DelayedOperationPurgatory<TestOperation> purgatory = new DelayedOperationPurgatory<>("test", clock);

    @AfterEach
    void close() {
        purgatory.close();
    }

    @Test
    void operationWhoseConditionHoldsCompletesAtOnceWithoutBeingWatched() {
        TestOperation operation = new TestOperation(1_000);
        operation.satisfy();

        assertThat(purgatory.tryCompleteElseWatch(operation, List.of("a"))).isTrue();

        assertThat(operation.completions).hasValue(1);
        assertThat(purgatory.watchedCount()).isZero();
        assertThat(purgatory.delayedCount()).isZero();
    }

    @Test
    void watchedOperationCompletesOnTheCheckAfterItsConditionHoldsNotAtTheTimeout() {
        TestOperation operation = new TestOperation(1_000);
        assertThat(purgatory.tryCompleteElseWatch(operation, List.of("a", "b"))).isFalse();
        assertThat(purgatory.watchedCount()).isEqualTo(2);
        assertThat(purgatory.delayedCount()).isEqualTo(1);

        assertThat(purgatory.checkAndComplete("a")).isZero();
        operation.satisfy();
        assertThat(purgatory.checkAndComplete("b")).isEqualTo(1);

        assertThat(operation.completions).hasValue(1);
        assertThat(operation.expirations).hasValue(0);
        assertThat(purgatory.delayedCount()).as("completion cancels the timeout").isZero();
        assertThat(purgatory.checkAndComplete("a")).isZero();
        assertThat(purgatory.watchedCount()).isZero();
        assertThat(purgatory.watchedKeyCount()).isZero();

        purgatory.advanceClock(clock.advance(10_000));
        assertThat(operation.completions).hasValue(1);
        assertThat(operation.expirations).hasValue(0);
    }

    @Test
    void operationExpiresAtItsTimeoutAndCompletesOnlyOnce() {
        TestOperation operation = new TestOperation(500);
        purgatory.tryCompleteElseWatch(operation, List.of("a"));

        purgatory.advanceClock(clock.advance(499));
        assertThat(operation.completions).hasValue(0);

        purgatory.advanceClock(clock.advance(1));
        assertThat(operation.completions).hasValue(1);
        assertThat(operation.expirations).hasValue(1);
        assertThat(operation.isCompleted()).isTrue();

        operation.satisfy();
        assertThat(purgatory.checkAndComplete("a")).isZero();
        assertThat(operation.forceComplete()).isFalse();
        assertThat(operation.completions).hasValue(1);
    }

    @Test
    void checkingAKeyLeavesOperationsOfOtherKeysWaiting() {
        TestOperation onA = new TestOperation(1_000);
        TestOperation onB = new TestOperation(1_000);
        purgatory.tryCompleteElseWatch(onA, List.of("a"));
        purgatory.tryCompleteElseWatch(onB, List.of("b"));
        onA.satisfy();
        onB.satisfy();

        assertThat(purgatory.checkAndComplete("a")).isEqualTo(1);

        assertThat(onA.isCompleted()).isTrue();
        assertThat(onB.isCompleted()).isFalse();
        assertThat(purgatory.delayedCount()).isEqualTo(1);
    }

    @Test
    void operationWithoutKeysOnlyTimesOut() {
        TestOperation operation = new TestOperation(100);
        assertThat(purgatory.tryCompleteElseWatch(operation, Set.of())).isFalse();
        assertThat(purgatory.watchedCount()).isZero();
        purgatory.advanceClock(clock.advance(100));
        assertThat(operation.expirations).hasValue(1);
    }

    @Test
    void expiredOperationsOnQuietKeysArePurgedOncePastTheThreshold() {
        DelayedOperationPurgatory<TestOperation> small =
                new DelayedOperationPurgatory<>("small", clock, new TimingWheelTimer(clock), 10);
        List<TestOperation> operations = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            TestOperation operation = new TestOperation(100);
            operations.add(operation);
            small.tryCompleteElseWatch(operation, List.of("quiet-" + i, "shared"));
        }
        assertThat(small.watchedCount()).isEqualTo(22);
        // Nobody checks these keys; the expired operations would stay in the lists without the purge.
        small.advanceClock(clock.advance(100));
        assertThat(operations).allSatisfy(operation -> assertThat(operation.expirations).hasValue(1));
        assertThat(small.watchedCount()).isZero();
        assertThat(small.watchedKeyCount()).isZero();
    }

    @Test
    void belowThePurgeThresholdCompletedOperationsMayLingerUntilPurged() {
        TestOperation operation = new TestOperation(100);
        purgatory.tryCompleteElseWatch(operation, List.of("quiet"));
        purgatory.advanceClock(clock.advance(100));
        assertThat(purgatory.watchedCount()).isEqualTo(1);

        assertThat(purgatory.purgeCompleted()).isEqualTo(1);
        assertThat(purgatory.watchedCount()).isZero();
    }

    @Test
    void reaperThreadExpiresOperationsByTheRealClock() {
        try (DelayedOperationPurgatory<TestOperation> real =
                new DelayedOperationPurgatory<>("real", InstantSource.system())) {
            TestOperation operation = new TestOperation(50);
            real.tryCompleteElseWatch(operation, List.of("a"));
            assertThat(operation.isCompleted()).as("the constructor starts no thread").isFalse();
            real.start();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(operation.expirations).hasValue(1));
            assertThat(operation.completions).hasValue(1);
        }
    }
}
