package io.fjord.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rebalance}: how long a group takes to settle (every partition owned by exactly one member, shares balanced)
 * in three phases: {@code --consumers} members start together (or {@code --join-interval-ms} apart), then, after
 * {@code --quiet-ms}, one more member joins the settled group, then, after another pause, one member leaves it
 * cleanly. Each phase is timed from its first action to
 * the member report that settled it. The topic is created with {@code --partitions} partitions when missing.
 * Runs on the calling thread; members run on their own threads.
 */
@Command(name = "rebalance", mixinStandardHelpOptions = true,
        description = "Time for a consumer group to settle when members start, join and leave.")
final class RebalanceCommand implements Callable<Integer> {
    @Mixin
    GroupOptions group;

    @Option(names = {"-p", "--partitions"}, defaultValue = "900",
            description = "Partitions of the topic (created when missing). Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = {"-c", "--consumers"}, defaultValue = "10",
            description = "Members that start the group. Default: ${DEFAULT-VALUE}.")
    int consumers;

    @Option(names = "--join-interval-ms", defaultValue = "0",
            description = "Pause between starting two of the first members. Default: ${DEFAULT-VALUE}.")
    long joinIntervalMs;

    @Option(names = "--quiet-ms", defaultValue = "6000",
            description = "Pause before the join and the leave phase, so they start from a group that has been quiet "
                    + "(longer than the heartbeat interval). Default: ${DEFAULT-VALUE}.")
    long quietMs;

    @Option(names = "--timeout-ms", defaultValue = "300000",
            description = "Give up on a phase after this long. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    private final PrintStream out;
    private final PrintStream progress;

    RebalanceCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    @Override
    public Integer call() throws Exception {
        if (consumers < 2) {
            out.println("rebalance: --consumers must be at least 2 (one leaves in the last phase)");
            return 2;
        }
        TopicSetup.createIfMissing(group.bootstrapServers, group.topic, partitions);
        Set<TopicPartition> all = new HashSet<>();
        for (int partition = 0; partition < partitions; partition++) {
            all.add(new TopicPartition(group.topic, partition));
        }
        AssignmentTracker tracker = new AssignmentTracker(all);
        List<GroupMember> members = new ArrayList<>();
        String groupId = group.groupIdOrNew("fjord-bench-rebalance");
        try {
            long startNanos = System.nanoTime();
            for (int index = 0; index < consumers; index++) {
                if (index > 0 && joinIntervalMs > 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(joinIntervalMs));
                }
                members.add(startMember(index, tracker));
            }
            long initialMs = awaitPhase("initial", tracker, startNanos, members);
            if (initialMs < 0) {
                return 1;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(quietMs));
            long joinStartNanos = System.nanoTime();
            members.add(startMember(consumers, tracker));
            long joinMs = awaitPhase("join", tracker, joinStartNanos, members);
            if (joinMs < 0) {
                return 1;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(quietMs));
            GroupMember leaving = members.remove(0);
            long leaveStartNanos = System.nanoTime();
            if (!leaving.stop(timeoutMs)) {
                out.println("rebalance: a member did not close within " + timeoutMs + " ms");
                return 1;
            }
            long leaveMs = awaitPhase("leave", tracker, leaveStartNanos, members);
            if (leaveMs < 0) {
                return 1;
            }
            out.printf(Locale.ROOT, "rebalance summary: group %s (%s protocol), %d partitions: %d members settled "
                            + "in %d ms, one joining in %d ms, one leaving in %d ms%n", groupId,
                    group.groupProtocol, partitions, consumers, initialMs, joinMs, leaveMs);
            out.printf(Locale.ROOT, "RESULT mode=rebalance protocol=%s consumers=%d partitions=%d initial_ms=%d "
                    + "join_ms=%d leave_ms=%d%n", group.groupProtocol, consumers, partitions, initialMs, joinMs,
                    leaveMs);
            return 0;
        } finally {
            for (GroupMember member : members) {
                member.stop(timeoutMs);
            }
        }
    }

    private GroupMember startMember(int index, AssignmentTracker tracker) {
        GroupMember member = new GroupMember(index, group.consumerProperties("fjord-bench-member-" + index),
                group.topic, tracker);
        member.start();
        return member;
    }

    /** Milliseconds from {@code startNanos} until settled, or -1 (and a message) on timeout or a member failure. */
    private long awaitPhase(String phase, AssignmentTracker tracker, long startNanos, List<GroupMember> members)
            throws InterruptedException {
        long deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long settledNanos = -1;
        while (settledNanos < 0 && System.nanoTime() < deadlineNanos) {
            settledNanos = tracker.awaitSettled(Math.min(deadlineNanos, System.nanoTime() + 1_000_000_000L));
            for (GroupMember member : members) {
                if (member.failure() != null) {
                    out.println("rebalance: member " + member.index() + " failed: " + member.failure());
                    return -1;
                }
            }
            if (settledNanos < 0) {
                progress.printf(Locale.ROOT, "rebalance: %s phase, %.1f s, not settled yet%n", phase,
                        (System.nanoTime() - startNanos) / 1e9);
            }
        }
        if (settledNanos < 0) {
            out.println("rebalance: the " + phase + " phase did not settle within " + timeoutMs + " ms");
            return -1;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(settledNanos - startNanos);
        progress.printf(Locale.ROOT, "rebalance: %s phase settled in %d ms%n", phase, elapsedMs);
        return elapsedMs;
    }
}
