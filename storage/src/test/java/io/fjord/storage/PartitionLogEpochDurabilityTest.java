package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader-epoch checkpoint's durability follows the log's: a new epoch is written without an fsync (a new leader
 * waits for no disk), fsync'd before the recovery point passes it and at close, and an operating-system crash that
 * loses the unsynced checkpoint loses no epoch, since recovery re-reads the epochs of the batches after the recovery
 * point from their headers.
 */
class PartitionLogEpochDurabilityTest {
    /** Small segments: every batch or two rolls, so a recovery re-reads only the last segments. */
    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 200);

    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private PartitionLog log;

    @AfterEach
    void stop() {
        if (log != null) {
            log.closeAbruptly();
        }
        background.shutdownNow();
    }

    private Path directory() {
        return root.resolve("epochs-0");
    }

    private PartitionLog open(long recoveryPoint, boolean cleanShutdown) {
        return PartitionLog.open(directory(), SMALL_SEGMENTS, recoveryPoint, 0, 0, cleanShutdown, clock,
                SegmentHandleCache.unbounded(), background);
    }

    private void appendAsLeader(int epoch, String... values) {
        log.appendAsLeader(TestBatches.batch(clock.millis(), values), epoch);
    }

    @Test
    void aNewEpochIsFsyncedByTheFlushThatPassesItNotByTheLeadershipChange() {
        log = open(0, true);
        appendAsLeader(1, "a", "b");
        log.flush();
        assertThat(log.leaderEpochsDurable()).isTrue();

        log.assignEpochStartOffset(2, log.logEndOffset());
        assertThat(log.leaderEpochsDurable()).as("a leadership change waits for no fsync").isFalse();
        appendAsLeader(2, "c");
        assertThat(log.leaderEpochsDurable()).isFalse();

        log.flush();
        assertThat(log.leaderEpochsDurable()).as("fsync'd before the recovery point passed epoch 2").isTrue();
        assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());
    }

    @Test
    void closingLeavesTheCheckpointDurableEvenWhenNothingIsLeftToFlush() {
        log = open(0, true);
        appendAsLeader(1, "a");
        log.flush();
        log.assignEpochStartOffset(3, log.logEndOffset());

        log.close();

        assertThat(log.leaderEpochsDurable()).isTrue();
        log = open(0, true);
        assertThat(log.latestEpoch()).as("a reopen drops an epoch start no batch carries, as Kafka's").hasValue(1);
    }

    @Test
    void anOperatingSystemCrashThatLosesTheUnsyncedCheckpointLosesNoEpoch() throws Exception {
        log = open(0, true);
        appendAsLeader(1, "a", "b");
        appendAsLeader(1, "c");
        appendAsLeader(4, "d", "e");
        log.flush();
        long recoveryPoint = log.recoveryPoint();
        Path checkpoint = directory().resolve("leader-epoch-checkpoint");
        Path durable = root.resolve("durable-checkpoint");
        Files.copy(checkpoint, durable);
        // A new leadership and its batches, then a crash before any flush: the batches reach the disk (the OS wrote
        // their pages), the checkpoint's unsynced rewrite does not.
        log.assignEpochStartOffset(7, log.logEndOffset());
        long epochSevenStart = log.logEndOffset();
        appendAsLeader(7, "f");
        appendAsLeader(7, "g", "h");
        long logEnd = log.logEndOffset();
        log.closeAbruptly();
        Files.copy(durable, checkpoint, StandardCopyOption.REPLACE_EXISTING);

        log = open(recoveryPoint, false);

        assertThat(log.logEndOffset()).isEqualTo(logEnd);
        assertThat(log.latestEpoch()).hasValue(7);
        assertThat(log.endOffsetForEpoch(4)).as("epoch 4 ends where epoch 7 starts")
                .hasValue(new EpochEndOffset(4, epochSevenStart));
        assertThat(log.endOffsetForEpoch(1)).hasValue(new EpochEndOffset(1, 3));
        assertThat(log.endOffsetForEpoch(7)).hasValue(new EpochEndOffset(7, logEnd));
    }
}
