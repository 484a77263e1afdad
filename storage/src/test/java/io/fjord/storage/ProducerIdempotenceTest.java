package io.fjord.storage;

import static io.fjord.storage.LogTestSupport.allValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotent appends through {@link PartitionLog}: deduplication, fencing, follower updates, expiration. */
class ProducerIdempotenceTest {
    private static final long PRODUCER = 4242;
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null && !log.isClosed()) {
            log.close();
        }
        background.shutdownNow();
    }

    private PartitionLog open(LogConfig config) {
        log = LogTestSupport.open(root.resolve("idempotent-0"), config, clock, background);
        return log;
    }

    private AppendResult append(int epoch, int sequence, String... values) {
        return log.appendAsLeader(TestBatches.idempotent(PRODUCER, (short) epoch, sequence, clock.millis(), values), 7);
    }

    private void assertRejected(int epoch, int sequence, Kind kind) {
        long end = log.logEndOffset();
        long size = log.sizeBytes();
        Map<Long, ProducerState> states = log.producerStates();
        assertThatThrownBy(() -> append(epoch, sequence, "rejected"))
                .isInstanceOfSatisfying(RecordBatchException.class, e -> assertThat(e.kind()).isEqualTo(kind));
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.sizeBytes()).isEqualTo(size);
        assertThat(log.producerStates()).isEqualTo(states);
    }

    @Test
    void aRetriedBatchIsNotWrittenAgainAndGetsTheOriginalOffsets() {
        open(LogConfig.defaults());
        log.appendAsLeader(TestBatches.batch(clock.millis(), "plain"), 7);
        AppendResult first = append(0, 0, "a", "b");
        AppendResult second = append(0, 2, "c");
        assertThat(first.duplicate()).isFalse();
        assertThat(first.firstOffset()).isEqualTo(1);
        long sizeBefore = log.sizeBytes();

        AppendResult retry = append(0, 0, "a", "b");
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(1);
        assertThat(retry.lastOffset()).isEqualTo(2);
        assertThat(retry.batchCount()).isZero();
        assertThat(append(0, 2, "c").firstOffset()).isEqualTo(second.firstOffset());
        assertThat(log.sizeBytes()).isEqualTo(sizeBefore);
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(allValues(log)).containsExactly("0:plain", "1:a", "2:b", "3:c");
        assertThat(append(0, 3, "d").firstOffset()).isEqualTo(4);
    }

    @Test
    void aRetryOnALogAppendTimeTopicReportsTheOriginalAppendTime() {
        open(LogConfig.defaults().with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        AppendResult first = append(0, 0, "a");
        clock.advance(5_000);
        AppendResult retry = append(0, 0, "a");
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.logAppendTimeMs()).isEqualTo(first.logAppendTimeMs()).isEqualTo(LogTestSupport.START_MS);
    }

    @Test
    void outOfOrderSequencesAndFencedEpochsAreRejectedWithoutWriting() {
        open(LogConfig.defaults());
        append(2, 0, "a");
        assertRejected(2, 2, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertRejected(1, 1, Kind.INVALID_PRODUCER_EPOCH);
        assertRejected(3, 1, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        append(3, 0, "b");
        assertRejected(2, 1, Kind.INVALID_PRODUCER_EPOCH);
        ProducerState state = log.producerStates().get(PRODUCER);
        assertThat(state.producerEpoch()).isEqualTo((short) 3);
        assertThat(state.batches()).containsExactly(new ProducerState.Batch(0, 0, 1, 1, clock.millis()));
    }

    @Test
    void followerAppendsUpdateTheStateSoANewLeaderDeduplicates() {
        open(LogConfig.defaults());
        ByteBuffer replicated = TestBatches.idempotent(PRODUCER, (short) 1, 10, clock.millis(), "x", "y");
        RecordBatch.at(replicated).setBaseOffset(0);
        log.appendAsFollower(replicated);
        assertThat(log.producerStates().get(PRODUCER).lastSequence()).isEqualTo(11);
        // Now leader: the producer retries its batch, then continues.
        AppendResult retry = append(1, 10, "x", "y");
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isZero();
        assertThat(append(1, 12, "z").firstOffset()).isEqualTo(2);
    }

    @Test
    void theLogManagerExpiresIdleProducers() {
        LogManager manager = new LogManager(LogManagerTestSupport.config(List.of(root.resolve("data")),
                Map.of(LogManagerConfig.PRODUCER_ID_EXPIRATION_MS, "60000")), clock);
        manager.startup();
        try {
            log = manager.getOrCreateLog(new TopicPartition("expiring", 0), LogConfig.defaults());
            append(0, 0, "a");
            clock.advance(59_999);
            assertThat(manager.removeExpiredProducersOnce()).isZero();
            assertRejected(0, 5, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
            clock.advance(1);
            assertThat(manager.removeExpiredProducersOnce()).isEqualTo(1);
            assertThat(log.producerStates()).isEmpty();
            // Without state a retry is no longer recognized; any sequence starts a new state (KIP-360).
            assertThat(append(0, 0, "a").duplicate()).isFalse();
            assertRejected(0, 5, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        } finally {
            manager.shutdown();
        }
    }

    @Test
    void expirationConfigHasKafkasDefaults() {
        LogManagerConfig config = LogManagerConfig.defaults(root);
        assertThat(config.producerIdExpirationMs()).isEqualTo(86_400_000L);
        assertThat(config.producerIdExpirationCheckIntervalMs()).isEqualTo(600_000L);
        assertThatThrownBy(() -> LogManagerTestSupport.config(List.of(root),
                Map.of(LogManagerConfig.PRODUCER_ID_EXPIRATION_MS, "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(LogManagerConfig.PRODUCER_ID_EXPIRATION_MS);
    }
}
