package io.fjord.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.Role;
import io.fjord.raft.RoleChange;
import io.fjord.raft.VoterSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker itself: each property fails when it is broken. */
class InvariantCheckerTest {
    private final SimDisk[] disks = {new SimDisk(), new SimDisk(), new SimDisk()};
    private final InvariantChecker checker = new InvariantChecker(disks, VoterSet.ofIds(Set.of(0, 1, 2)));

    private static LogEntry entry(long offset, int epoch, int payload) {
        return new LogEntry(offset, epoch, EntryType.DATA, new byte[] {(byte) payload});
    }

    private void append(int node, LogEntry entry) {
        disks[node].append(entry);
        checker.onAppend(node, entry);
    }

    @Test
    void twoLeadersInOneEpochFail() {
        checker.onRoleChange(0, new RoleChange(Role.LEADER, 3, 0));
        assertThatCode(() -> checker.onRoleChange(0, new RoleChange(Role.LEADER, 3, 0))).doesNotThrowAnyException();
        assertThatThrownBy(() -> checker.onRoleChange(1, new RoleChange(Role.LEADER, 3, 1)))
                .hasMessageContaining("two leaders in epoch 3");
    }

    @Test
    void aCommittedEntryThatChangesFails() {
        append(0, entry(0, 1, 7));
        checker.onHighWatermark(0, 1);
        append(1, entry(0, 2, 8));
        assertThatThrownBy(() -> checker.onHighWatermark(1, 1)).hasMessageContaining("committed entry changed");
    }

    @Test
    void truncatingAHeldCommittedEntryFailsButACrashMayLoseIt() {
        append(0, entry(0, 1, 7));
        append(1, entry(0, 1, 7));
        checker.onHighWatermark(0, 1);
        checker.afterEvent();
        assertThatThrownBy(() -> checker.onTruncate(1, 0)).hasMessageContaining("below its committed entries");
        assertThatCode(() -> checker.onCrash(1, 0)).doesNotThrowAnyException();
    }

    @Test
    void sameOffsetAndEpochWithDifferentHistoriesFail() {
        append(0, entry(0, 1, 1));
        append(0, entry(1, 2, 5));
        append(1, entry(0, 2, 2));
        assertThatThrownBy(() -> append(1, entry(1, 2, 5))).hasMessageContaining("log matching");
    }

    @Test
    void aLeaderWithoutAnOlderCommittedEntryFails() {
        checker.onRoleChange(0, new RoleChange(Role.FOLLOWER, 1, 2));
        append(0, entry(0, 1, 7));
        checker.onHighWatermark(0, 1);
        assertThatThrownBy(() -> checker.onRoleChange(1, new RoleChange(Role.LEADER, 2, 1)))
                .hasMessageContaining("leader completeness");
        // A leader of an epoch no newer than the one the commit was seen in may lack it (a late, stale leader).
        assertThatCode(() -> checker.onRoleChange(2, new RoleChange(Role.LEADER, 1, 2))).doesNotThrowAnyException();
    }

    @Test
    void aHighWatermarkGoingBackFailsExceptAfterARestart() {
        append(0, entry(0, 1, 7));
        append(0, entry(1, 1, 8));
        checker.onHighWatermark(0, 2);
        assertThatThrownBy(() -> checker.onHighWatermark(0, 1)).hasMessageContaining("went back");
        checker.onRestart(0);
        assertThatCode(() -> checker.onHighWatermark(0, 1)).doesNotThrowAnyException();
    }

    @Test
    void aSnapshotOrAStateMachineThatDiffersFromTheCommittedLogFails() {
        append(0, entry(0, 1, 7));
        append(0, entry(1, 1, 8));
        checker.onHighWatermark(0, 2);
        long chainOfFirst = InvariantChecker.chain(InvariantChecker.START_CHAIN, entry(0, 1, 7));
        long chainOfBoth = InvariantChecker.chain(chainOfFirst, entry(1, 1, 8));
        assertThatCode(() -> checker.onSnapshotCreated(0, 2, chainOfBoth)).doesNotThrowAnyException();
        assertThatCode(() -> checker.onApplied(0, 1, chainOfFirst)).doesNotThrowAnyException();
        assertThatThrownBy(() -> checker.onSnapshotInstalled(1, 2, chainOfFirst))
                .hasMessageContaining("differs from the committed log");
        assertThatThrownBy(() -> checker.onApplied(1, 2, chainOfFirst)).hasMessageContaining("state machine");
        assertThatThrownBy(() -> checker.onSnapshotCreated(1, 3, chainOfBoth)).hasMessageContaining("committed");
    }

    @Test
    void aCommittedChangeOfTwoVotersAtOnceFails() {
        VoterSet oneMore = VoterSet.ofIds(Set.of(0, 1, 2, 3));
        VoterSet twoMore = VoterSet.ofIds(Set.of(0, 1, 2, 3, 4));
        append(0, new LogEntry(0, 1, EntryType.VOTERS, oneMore.encode()));
        assertThatCode(() -> checker.onHighWatermark(0, 1)).doesNotThrowAnyException();
        append(0, new LogEntry(1, 1, EntryType.VOTERS, VoterSet.ofIds(Set.of(0, 1, 2, 5, 6)).encode()));
        assertThatThrownBy(() -> checker.onHighWatermark(0, 2)).hasMessageContaining("more than one voter");
        assertThat(twoMore.distanceTo(oneMore)).isEqualTo(1);
    }
}
