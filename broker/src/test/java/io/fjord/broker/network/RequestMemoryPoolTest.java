package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestMemoryPoolTest {
    private final List<String> resumed = new ArrayList<>();

    private Runnable resume(String name) {
        return () -> resumed.add(name);
    }

    @Test
    void reservesWhileTheBytesFit() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        assertThat(pool.reserveOrWait(60, resume("a"))).isTrue();
        assertThat(pool.reserveOrWait(40, resume("b"))).isTrue();
        assertThat(pool.reservedBytes()).isEqualTo(100);
        assertThat(resumed).isEmpty();
    }

    @Test
    void waitsWhenExhaustedAndResumesOnceEnoughIsReleased() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        pool.reserveOrWait(80, resume("holder"));
        assertThat(pool.reserveOrWait(30, resume("waiter"))).isFalse();
        assertThat(pool.reservedBytes()).isEqualTo(80);

        pool.release(5);
        assertThat(resumed).as("75 + 30 still exceeds 100").isEmpty();
        pool.release(5);
        assertThat(resumed).containsExactly("waiter");
        assertThat(pool.reservedBytes()).as("the waiter's bytes are reserved for it").isEqualTo(100);
    }

    @Test
    void resumesWaitersInArrivalOrderAndNewcomersQueueBehindThem() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        pool.reserveOrWait(100, resume("holder"));
        assertThat(pool.reserveOrWait(60, resume("first"))).isFalse();
        assertThat(pool.reserveOrWait(10, resume("second"))).isFalse();
        assertThat(pool.reserveOrWait(50, resume("third"))).isFalse();

        pool.release(50);
        assertThat(resumed).as("the first needs 60: nobody overtakes it").isEmpty();
        assertThat(pool.reserveOrWait(1, resume("newcomer"))).as("queues behind the waiters").isFalse();

        pool.release(50);
        assertThat(resumed).containsExactly("first", "second");
        pool.release(60);
        assertThat(resumed).containsExactly("first", "second", "third", "newcomer");
        assertThat(pool.reservedBytes()).isEqualTo(61);
    }

    @Test
    void aFrameLargerThanThePoolProceedsWhenNothingElseIsReserved() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        assertThat(pool.reserveOrWait(500, resume("alone"))).isTrue();
        assertThat(pool.reservedBytes()).isEqualTo(500);
        pool.release(500);

        pool.reserveOrWait(1, resume("holder"));
        assertThat(pool.reserveOrWait(500, resume("large"))).isFalse();
        pool.release(1);
        assertThat(resumed).containsExactly("large");
        assertThat(pool.reservedBytes()).isEqualTo(500);
    }

    @Test
    void anUnboundedPoolNeverWaitsNorCounts() {
        RequestMemoryPool pool = new RequestMemoryPool(-1);
        assertThat(pool.isBounded()).isFalse();
        assertThat(pool.reserveOrWait(Integer.MAX_VALUE, resume("a"))).isTrue();
        assertThat(pool.reserveOrWait(Integer.MAX_VALUE, resume("b"))).isTrue();
        assertThat(pool.reservedBytes()).isZero();
    }

    @Test
    void reservationsFromManyThreadsAllReturn() throws InterruptedException {
        RequestMemoryPool pool = new RequestMemoryPool(1_000);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    int bytes = 1 + i % 300;
                    if (pool.reserveOrWait(bytes, () -> pool.release(bytes))) {
                        pool.release(bytes);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(30_000);
            assertThat(thread.isAlive()).isFalse();
        }
        assertThat(pool.reservedBytes()).isZero();
    }
}
