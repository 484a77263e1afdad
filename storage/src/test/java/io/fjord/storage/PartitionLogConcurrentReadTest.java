package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One appender and several readers: every read is a consistent prefix of whole, valid, expected batches. */
class PartitionLogConcurrentReadTest {
    private static final int RECORDS = 3000;

    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @Test
    void readsDuringAppendsSeeConsistentPrefixes() throws Exception {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 2000)
                .with(LogConfig.INDEX_INTERVAL_BYTES, 100).with(LogConfig.SEGMENT_INDEX_BYTES, 64);
        PartitionLog log = PartitionLog.open(root.resolve("concurrent-0"), config, 0, 0, true,
                new ManualClock(LogTestSupport.START_MS), new SegmentHandleCache(2, 60_000), background);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread appender = new Thread(() -> {
            try {
                for (int offset = 0; offset < RECORDS; offset += 3) {
                    log.appendAsLeader(TestBatches.batch(offset, "r" + offset, "r" + (offset + 1), "r" + (offset + 2)), 0);
                }
            } catch (Throwable e) {
                failures.add(e);
            } finally {
                done.set(true);
            }
        });
        List<Thread> readers = new java.util.ArrayList<>();
        for (int reader = 0; reader < 3; reader++) {
            int seed = reader;
            readers.add(new Thread(() -> {
                Random random = new Random(seed);
                try {
                    while (!done.get() || reads.get() < 100) {
                        readOnce(log, random);
                        reads.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        appender.start();
        readers.forEach(Thread::start);
        await().atMost(Duration.ofSeconds(60)).until(() -> !appender.isAlive()
                && readers.stream().noneMatch(Thread::isAlive));
        assertThat(failures).isEmpty();
        assertThat(log.logEndOffset()).isEqualTo(RECORDS);
        assertThat(reads.get()).isGreaterThanOrEqualTo(100);
        log.close();
    }

    private static void readOnce(PartitionLog log, Random random) {
        long end = log.logEndOffset();
        if (end == 0) {
            return;
        }
        long start = (long) (random.nextDouble() * end);
        LogReadResult result = log.read(start, 1 + random.nextInt(3000), Long.MAX_VALUE, true);
        ByteBuffer bytes = LogTestSupport.bytes(result);
        assertThat(result.logEndOffset()).isGreaterThanOrEqualTo(end);
        long expected = -1;
        int batches = 0;
        for (RecordBatch batch : RecordBatches.of(bytes)) {
            assertThat(batch.isCrcValid()).as("CRC of the batch at %d", batch.baseOffset()).isTrue();
            if (expected < 0) {
                assertThat(start).isBetween(batch.baseOffset(), batch.lastOffset());
            } else {
                assertThat(batch.baseOffset()).isEqualTo(expected);
            }
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                assertThat(TestBatches.string(record.value())).isEqualTo("r" + record.offset());
            }
            assertThat(batch.lastOffset()).isLessThan(result.logEndOffset());
            expected = batch.nextOffset();
            batches++;
        }
        assertThat(batches).as("the read from %d returned a whole first batch", start).isPositive();
    }
}
