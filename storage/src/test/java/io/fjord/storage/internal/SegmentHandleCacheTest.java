package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentHandleCacheTest {
    private static final Duration WAIT_MAX = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private LogSegment inactiveSegment(SegmentHandleCache cache, long baseOffset) {
        LogSegment segment = LogSegment.create(dir, baseOffset, 1024, 0, cache, 0);
        segment.unpin(System.nanoTime()); // no longer active: now tracked by the cache
        return segment;
    }

    @Test
    void releasingADeletedSegmentDoesNotHoldItsMonitorWhileWaitingForTheCache() throws Exception {
        SegmentHandleCache cache = new SegmentHandleCache(10, 1000);
        LogSegment segment = inactiveSegment(cache, 0);
        assertThat(segment.acquire(System.nanoTime())).isTrue();
        segment.markDeleted();
        Thread releaser = new Thread(segment::release, "releaser");
        synchronized (cache) { // as a thread inside touched() or closeIdle() would hold it
            releaser.start();
            await().atMost(WAIT_MAX).until(() -> releaser.getState() == Thread.State.BLOCKED);
            // The cache calls into segments while holding its monitor; if the releaser still held the segment's
            // monitor here, this call would never return (a deadlock).
            CompletableFuture<Boolean> open = CompletableFuture.supplyAsync(segment::isOpen);
            assertThat(open.get(WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
        }
        releaser.join(WAIT_MAX.toMillis());
        assertThat(releaser.isAlive()).isFalse();
        assertThat(cache.openCount()).isZero();
    }

    @Test
    void aHugeIdleTimeMeansNeverRatherThanOverflowing() {
        SegmentHandleCache cache = new SegmentHandleCache(10, Long.MAX_VALUE);
        LogSegment segment = inactiveSegment(cache, 0);
        assertThat(cache.closeIdle(System.nanoTime())).isZero();
        assertThat(segment.isOpen()).isTrue();
        segment.closeCleanly();
    }

    @Test
    void closesTheLeastRecentlyUsedPastTheLimit() {
        SegmentHandleCache cache = new SegmentHandleCache(2, 1000);
        LogSegment first = inactiveSegment(cache, 0);
        LogSegment second = inactiveSegment(cache, 100);
        LogSegment third = inactiveSegment(cache, 200);
        assertThat(cache.openCount()).isEqualTo(2);
        assertThat(first.isOpen()).isFalse();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).isTrue();
        second.closeCleanly();
        third.closeCleanly();
    }

    @Test
    void rejectsANegativeIdleTime() {
        assertThatThrownBy(() -> new SegmentHandleCache(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
