package io.fjord.bench.load;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What every member of a group owns right now, as each member last reported it after a poll, and whether that is a
 * settled assignment: every partition owned by exactly one live member and every live member owning at least
 * {@code floor(partitions / members)} of them (what a balanced assignor gives a single-topic subscription).
 * Reports are snapshots taken at different moments, so a partition may briefly appear owned twice (one member's
 * report is older than the move); that state is simply not settled. Thread-safe: members report from their own
 * threads; waiters block on the tracker's monitor.
 */
final class AssignmentTracker {
    private final Set<TopicPartition> allPartitions;
    private final Map<Integer, Set<TopicPartition>> owned = new HashMap<>();
    private final Set<Integer> liveMembers = new HashSet<>();
    /** When the current settled state began ({@link System#nanoTime()}), or -1 while not settled. */
    private long settledSinceNanos = -1;

    AssignmentTracker(Set<TopicPartition> allPartitions) {
        this.allPartitions = Set.copyOf(allPartitions);
    }

    synchronized void memberStarted(int member) {
        liveMembers.add(member);
        owned.put(member, Set.of());
        changed();
    }

    /** A member left (closed): its partitions no longer count as owned. */
    synchronized void memberStopped(int member) {
        liveMembers.remove(member);
        owned.remove(member);
        changed();
    }

    synchronized void report(int member, Set<TopicPartition> assignment) {
        if (!liveMembers.contains(member)) {
            return;
        }
        owned.put(member, Set.copyOf(assignment));
        changed();
    }

    private void changed() {
        if (!isSettled()) {
            settledSinceNanos = -1;
        } else if (settledSinceNanos < 0) {
            settledSinceNanos = System.nanoTime();
        }
        notifyAll();
    }

    synchronized boolean isSettled() {
        if (liveMembers.isEmpty()) {
            return false;
        }
        int minimumShare = allPartitions.size() / liveMembers.size();
        Set<TopicPartition> seen = new HashSet<>();
        for (int member : liveMembers) {
            Set<TopicPartition> assignment = owned.getOrDefault(member, Set.of());
            if (assignment.size() < minimumShare) {
                return false;
            }
            for (TopicPartition partition : assignment) {
                if (!seen.add(partition)) {
                    return false; // owned twice
                }
            }
        }
        return seen.equals(allPartitions);
    }

    /**
     * Waits until the assignment is settled; returns the time the report that settled it arrived
     * ({@link System#nanoTime()}), or -1 at the deadline.
     */
    synchronized long awaitSettled(long deadlineNanos) throws InterruptedException {
        while (settledSinceNanos < 0) {
            long leftNanos = deadlineNanos - System.nanoTime();
            if (leftNanos <= 0) {
                return -1;
            }
            wait(Math.max(1, leftNanos / 1_000_000));
        }
        return settledSinceNanos;
    }
}
