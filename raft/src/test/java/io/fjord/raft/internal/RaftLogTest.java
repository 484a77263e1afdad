package io.fjord.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.raft.EntryType;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.VoterSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RaftLogTest {

    private static RaftLog log(List<LogEntry> entries) {
        return new RaftLog(new OffsetAndEpoch(0, 0), VoterSet.ofIds(Set.of(0)), entries);
    }

    private static LogEntry entry(long offset, int epoch, int payloadBytes) {
        return new LogEntry(offset, epoch, EntryType.DATA, new byte[payloadBytes]);
    }

    /** Epoch 1 at 0-1, epoch 3 at 2-4, epoch 4 at 5. */
    private static RaftLog sample() {
        return log(List.of(entry(0, 1, 1), entry(1, 1, 1), entry(2, 3, 1), entry(3, 3, 1), entry(4, 3, 1),
                entry(5, 4, 1)));
    }

    @Test
    void endOffsetForEpochAnswersTheLargestEpochAtMostTheOneAskedAndWhereItEnds() {
        RaftLog log = sample();
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 2));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(1, 2));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 5));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 6));
        assertThat(log.endOffsetForEpoch(9)).isEqualTo(new EpochEndOffset(4, 6));
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 0));
        assertThat(log(List.of()).endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(0, 0));
    }

    @Test
    void truncationDropsEntriesEpochsAndFlushedOffset() {
        RaftLog log = sample();
        assertThat(log.flushedEndOffset()).isEqualTo(6);
        log.truncateTo(3);
        assertThat(log.endOffset()).isEqualTo(3);
        assertThat(log.flushedEndOffset()).isEqualTo(3);
        assertThat(log.lastEpoch()).isEqualTo(3);
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(3, 3));
        log.truncateTo(2);
        assertThat(log.lastEpoch()).isEqualTo(1);
        log.append(entry(2, 5, 1));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(1, 2));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 3));
        assertThat(log.flushedEndOffset()).isEqualTo(2);
        log.markFlushed(10);
        assertThat(log.flushedEndOffset()).isEqualTo(3);
    }

    @Test
    void readReturnsWhatFitsTheByteLimitButAlwaysOneEntry() {
        RaftLog log = log(List.of(entry(0, 1, 100), entry(1, 1, 100), entry(2, 1, 100)));
        int oneEntry = 100 + LogEntry.OVERHEAD_BYTES;
        assertThat(log.read(0, 1)).hasSize(1);
        assertThat(log.read(0, 2 * oneEntry)).hasSize(2);
        assertThat(log.read(1, 10 * oneEntry)).extracting(LogEntry::offset).containsExactly(1L, 2L);
        assertThat(log.read(3, 10 * oneEntry)).isEmpty();
    }

    @Test
    void appendsMustContinueTheLogWithoutGoingBackInEpoch() {
        RaftLog log = sample();
        assertThatThrownBy(() -> log.append(entry(7, 4, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> log.append(entry(6, 3, 1))).isInstanceOf(IllegalStateException.class);
    }
}
