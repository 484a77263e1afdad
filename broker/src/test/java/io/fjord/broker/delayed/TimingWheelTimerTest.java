package io.fjord.broker.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimingWheelTimerTest {
    private final ManualClock clock = new ManualClock(1_000_000L);
    private final TimingWheelTimer timer = new TimingWheelTimer(clock);
    private final List<Long> ranAt = Collections.synchronizedList(new ArrayList<>());

    private final class RecordingTask extends TimerTask {
        final AtomicInteger runs = new AtomicInteger();

        RecordingTask(long delayMs) {
            super(delayMs);
        }

        @Override
        public void run() {
            runs.incrementAndGet();
            ranAt.add(clock.millis());
        }
    }

    @Test
    void taskRunsExactlyAtItsExpirationNotBefore() {
        RecordingTask task = new RecordingTask(7);
        timer.add(task);
        assertThat(timer.size()).isEqualTo(1);

        clock.advance(6);
        timer.advanceClock(clock.millis());
        assertThat(task.runs).hasValue(0);

        clock.advance(1);
        timer.advanceClock(clock.millis());
        assertThat(task.runs).hasValue(1);
        assertThat(timer.size()).isZero();
    }

    @Test
    void tasksBeyondTheFirstWheelCascadeDownAndRunOnTime() {
        long[] delays = {1, 19, 20, 21, 399, 400, 401, 8_000, 8_001, 160_000, 3_600_000};
        List<RecordingTask> tasks = new ArrayList<>();
        for (long delay : delays) {
            RecordingTask task = new RecordingTask(delay);
            tasks.add(task);
            timer.add(task);
        }
        long start = clock.millis();
        // Step one millisecond at a time through the short ones, then jump close to each long one.
        for (int i = 0; i < delays.length; i++) {
            long expiration = start + delays[i];
            clock.advance(expiration - 1 - clock.millis());
            timer.advanceClock(clock.millis());
            assertThat(tasks.get(i).runs).as("task with delay %d before its time", delays[i]).hasValue(0);
            clock.advance(1);
            timer.advanceClock(clock.millis());
            assertThat(tasks.get(i).runs).as("task with delay %d at its time", delays[i]).hasValue(1);
        }
        assertThat(timer.size()).isZero();
    }

    @Test
    void oneBigJumpRunsEveryDueTaskOnce() {
        List<RecordingTask> tasks = new ArrayList<>();
        for (int delay = 0; delay < 5_000; delay += 7) {
            RecordingTask task = new RecordingTask(delay);
            tasks.add(task);
            timer.add(task);
        }
        RecordingTask later = new RecordingTask(10_000);
        timer.add(later);

        timer.advanceClock(clock.advance(5_000));

        assertThat(tasks).allSatisfy(task -> assertThat(task.runs).hasValue(1));
        assertThat(later.runs).hasValue(0);
        assertThat(timer.size()).isEqualTo(1);
    }

    @Test
    void zeroDelayRunsAtOnceOnTheAddingThread() {
        RecordingTask task = new RecordingTask(0);
        timer.add(task);
        assertThat(task.runs).hasValue(1);
        assertThat(timer.size()).isZero();
    }

    @Test
    void cancelledTaskNeverRunsAndLeavesTheTimer() {
        RecordingTask task = new RecordingTask(50);
        timer.add(task);
        task.cancel();
        assertThat(timer.size()).isZero();
        timer.advanceClock(clock.advance(1_000));
        assertThat(task.runs).hasValue(0);
    }

    @Test
    void timeNeverMovesBack() {
        RecordingTask task = new RecordingTask(10);
        timer.add(task);
        timer.advanceClock(clock.millis() - 5_000);
        assertThat(task.runs).hasValue(0);
        timer.advanceClock(clock.advance(10));
        assertThat(task.runs).hasValue(1);
    }
}
