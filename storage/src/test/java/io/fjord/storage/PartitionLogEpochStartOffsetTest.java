package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.storage.internal.EpochEntry;
import io.fjord.storage.internal.LeaderEpochCheckpointFile;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's assignEpochStartOffset: a new leader's epoch is known from its log end before it appends anything. */
class PartitionLogEpochStartOffsetTest {
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

    private PartitionLog open() {
        return PartitionLog.open(root.resolve("epochs-0"), LogConfig.defaults(), 0, 0, 0, true, clock,
                SegmentHandleCache.unbounded(), background);
    }

    private List<EpochEntry> checkpointed() {
        return new LeaderEpochCheckpointFile(root.resolve("epochs-0")).read().orElseThrow();
    }

    private void appendAsLeader(int epoch, String... values) {
        log.appendAsLeader(TestBatches.batch(clock.millis(), values), epoch);
    }

    @Test
    void aNewLeadersEpochEndsAtTheLogEndBeforeItAppendsAndTheEpochBeforeItEndsThere() {
        log = open();
        appendAsLeader(1, "a", "b", "c");

        log.assignEpochStartOffset(4, log.logEndOffset());

        assertThat(log.latestEpoch()).hasValue(4);
        assertThat(log.endOffsetForEpoch(4)).hasValue(new EpochEndOffset(4, 3));
        // A follower of epochs 2 and 3 (written by leaders this node never followed) truncates to offset 3.
        assertThat(log.endOffsetForEpoch(3)).hasValue(new EpochEndOffset(1, 3));
        assertThat(checkpointed()).containsExactly(new EpochEntry(1, 0), new EpochEntry(4, 3));

        appendAsLeader(4, "d");
        assertThat(checkpointed()).as("the epoch's first append changes nothing")
                .containsExactly(new EpochEntry(1, 0), new EpochEntry(4, 3));
        assertThat(log.endOffsetForEpoch(4)).hasValue(new EpochEndOffset(4, 4));
    }

    @Test
    void anEpochStartAtTheLogEndSurvivesALogStartMoveToTheLogEnd() {
        log = open();
        appendAsLeader(1, "a", "b");
        log.assignEpochStartOffset(2, log.logEndOffset());
        log.updateHighWatermark(2);

        log.maybeAdvanceLogStartOffset(2);

        assertThat(log.latestEpoch()).hasValue(2);
        assertThat(checkpointed()).containsExactly(new EpochEntry(2, 2));
    }

    @Test
    void anEpochStartBeyondTheLogEndIsRefused() {
        log = open();
        assertThatThrownBy(() -> log.assignEpochStartOffset(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.latestEpoch()).isEmpty();
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(Optional.empty());
    }
}
