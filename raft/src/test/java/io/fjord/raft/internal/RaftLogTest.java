package io.fjord.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.raft.EntryType;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.VoterSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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

    @Test
    void aSnapshotMovesTheLogStartAndEpochsBelowItAreOnlyInTheSnapshot() {
        RaftLog log = sample();
        log.deletePrefix(3);
        assertThat(log.startOffset()).isEqualTo(3);
        assertThat(log.epochBefore(3)).isEqualTo(3);
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 5));
        assertThat(log.endOffsetForEpoch(1)).as("below the snapshot's epoch").isEqualTo(new EpochEndOffset(-1, -1));
        assertThat(log.read(0, 1000)).extracting(LogEntry::offset).containsExactly(3L, 4L, 5L);
        assertThatThrownBy(() -> log.truncateTo(2)).isInstanceOf(IllegalStateException.class);

        log.resetTo(new OffsetAndEpoch(9, 4), VoterSet.ofIds(Set.of(0, 1)));
        assertThat(log.startOffset()).isEqualTo(9);
        assertThat(log.endOffset()).isEqualTo(9);
        assertThat(log.lastEpoch()).isEqualTo(4);
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 9));
        assertThat(log.voters().ids()).containsExactly(0, 1);
    }

    @Test
    void theLatestVotersEntryDefinesTheVoterSetAndATruncationBringsBackTheOneBefore() {
        RaftLog log = log(List.of(entry(0, 1, 1)));
        VoterSet four = VoterSet.ofIds(Set.of(0, 1, 2, 3));
        log.append(new LogEntry(1, 1, EntryType.VOTERS, four.encode()));
        log.append(entry(2, 1, 1));
        assertThat(log.voters()).isEqualTo(four);
        assertThat(log.votersAt(1)).isEqualTo(VoterSet.ofIds(Set.of(0)));
        assertThat(log.votersAt(2)).isEqualTo(four);
        assertThat(log.lastVotersOffset()).isEqualTo(1);
        // A snapshot at 2 carries the set in force there.
        log.deletePrefix(2);
        assertThat(log.voters()).isEqualTo(four);
        log.truncateTo(2);
        assertThat(log.voters()).isEqualTo(four);
        RaftLog other = log(List.of(entry(0, 1, 1), new LogEntry(1, 1, EntryType.VOTERS, four.encode())));
        other.truncateTo(1);
        assertThat(other.voters()).isEqualTo(VoterSet.ofIds(Set.of(0)));
        assertThat(other.lastVotersOffset()).isEqualTo(-1);
    }

    @Test
    void aVoterSetSurvivesItsEncodingAndMalformedBytesAreRejected() {
        VoterSet voters = VoterSet.of(List.of(new ReplicaKey(1, new UUID(5, 6)), ReplicaKey.of(2)));
        assertThat(VoterSet.decode(voters.encode())).contains(voters);
        assertThat(VoterSet.decode(new byte[] {0, 0, 0})).isEmpty();
        byte[] hugeCount = {0, 0, 0x7f, 0, 0, 0};
        assertThat(VoterSet.decode(hugeCount)).isEmpty();
        assertThat(VoterSet.decode(java.util.Arrays.copyOf(voters.encode(), 20))).isEmpty();
        assertThat(voters.isVoter(new ReplicaKey(1, new UUID(5, 6)))).isTrue();
        assertThat(voters.isVoter(new ReplicaKey(1, new UUID(5, 7)))).as("another directory").isFalse();
        assertThat(voters.isVoter(new ReplicaKey(2, new UUID(5, 7)))).as("a static voter: any directory").isTrue();
        assertThat(voters.adding(ReplicaKey.of(3)).distanceTo(voters)).isEqualTo(1);
        assertThat(voters.removing(1).adding(ReplicaKey.of(3)).distanceTo(voters)).isEqualTo(2);
    }
}
