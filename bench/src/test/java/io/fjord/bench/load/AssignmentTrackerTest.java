package io.fjord.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class AssignmentTrackerTest {
    private static final Set<TopicPartition> SIX = partitions(0, 6);

    private static Set<TopicPartition> partitions(int from, int to) {
        return IntStream.range(from, to).mapToObj(p -> new TopicPartition("t", p)).collect(Collectors.toSet());
    }

    @Test
    void settledOnlyWhenEveryPartitionIsOwnedOnceAndSharesAreBalanced() throws Exception {
        AssignmentTracker tracker = new AssignmentTracker(SIX);
        assertThat(tracker.isSettled()).isFalse();
        tracker.memberStarted(1);
        tracker.memberStarted(2);
        tracker.report(1, partitions(0, 6));
        assertThat(tracker.isSettled()).as("member 2 owns nothing").isFalse();
        tracker.report(1, partitions(0, 4));
        tracker.report(2, partitions(3, 6));
        assertThat(tracker.isSettled()).as("partition 3 owned twice").isFalse();
        tracker.report(2, partitions(4, 6));
        assertThat(tracker.isSettled()).as("4 + 2 meets the minimum share of 3? no").isFalse();
        tracker.report(1, partitions(0, 3));
        tracker.report(2, partitions(3, 5));
        assertThat(tracker.isSettled()).as("partition 5 unowned").isFalse();
        tracker.report(2, partitions(3, 6));
        assertThat(tracker.isSettled()).isTrue();
        assertThat(tracker.awaitSettled(System.nanoTime())).isPositive();
    }

    @Test
    void aJoiningMemberUnsettlesUntilItHasAShareAndALeavingOneUntilItsPartitionsMove() throws Exception {
        AssignmentTracker tracker = new AssignmentTracker(SIX);
        tracker.memberStarted(1);
        tracker.report(1, SIX);
        assertThat(tracker.isSettled()).isTrue();
        tracker.memberStarted(2);
        assertThat(tracker.isSettled()).isFalse();
        assertThat(tracker.awaitSettled(System.nanoTime() + 1_000_000)).isEqualTo(-1);
        tracker.report(1, partitions(0, 3));
        tracker.report(2, partitions(3, 6));
        long settledAt = tracker.awaitSettled(System.nanoTime() + 1_000_000);
        assertThat(settledAt).isPositive();
        tracker.report(1, partitions(0, 3)); // the same state again keeps its start time
        assertThat(tracker.awaitSettled(System.nanoTime())).isEqualTo(settledAt);
        tracker.memberStopped(2);
        assertThat(tracker.isSettled()).isFalse();
        tracker.report(2, SIX); // a stopped member's late report does not count
        assertThat(tracker.isSettled()).isFalse();
        tracker.report(1, new HashSet<>(SIX));
        assertThat(tracker.isSettled()).isTrue();
    }
}
