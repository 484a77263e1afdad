package io.fjord.bench.fuzz;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;

/**
 * One fuzz run against one node: frames {@code firstFrame .. firstFrame + frames - 1} of a seed, sent in order, with
 * a health check (and a memory check when the node's pid is known) before the first frame, every
 * {@code healthEvery} frames and after the last. It stops at the first failure and names the seed and the frame
 * range since the last good check, which a replay of that range reproduces. Memory: one frame at a time. Not
 * thread-safe: runs on the calling thread.
 */
final class FuzzRun {
    /**
     * @param seed               the run's seed
     * @param firstFrame         index of the first frame sent
     * @param frames             how many frames to send
     * @param healthEvery        frames between health checks
     * @param responseWaitMs     how long to wait for each frame's answer before dropping the connection
     * @param healthTimeoutMs    bound on one health check
     * @param rssLimitMegabytes  the node's resident set may not pass this at its peak (0: no limit)
     * @param printFrames        print every frame and its outcome (for replays)
     */
    record Settings(long seed, long firstFrame, long frames, int healthEvery, int responseWaitMs, int healthTimeoutMs,
                    long rssLimitMegabytes, boolean printFrames) {
    }

    /** What the run saw. {@code failure} is null when every check passed. */
    record Result(long seed, long framesSent, String failure, long failedFromFrame, long failedToFrame,
                  long maxResidentMegabytes, Map<FrameSender.Outcome, Long> outcomes, Map<Frame.Kind, Long> kinds) {
        boolean healthy() {
            return failure == null;
        }
    }

    /** What the run knows of the node besides its address: whether it died, and its memory (null if unknown). */
    interface NodeWatch {
        /** Null while the node runs, else why it is gone. */
        String death();

        /** The node's memory now, or null when the node is not a known local process. */
        ProcessMemory memory();
    }

    private FuzzRun() {
    }

    static Result run(InetSocketAddress address, FuzzContext context, DecompressionBombs bombs, Settings settings,
                      NodeWatch watch, PrintStream log) {
        FrameGenerator generator = new FrameGenerator(settings.seed(), context, bombs);
        HealthCheck health = new HealthCheck(address, settings.healthTimeoutMs());
        Map<FrameSender.Outcome, Long> outcomes = new EnumMap<>(FrameSender.Outcome.class);
        Map<Frame.Kind, Long> kinds = new EnumMap<>(Frame.Kind.class);
        long maxResident = 0;
        long lastGood = settings.firstFrame() - 1;
        long sent = 0;
        long startNanos = System.nanoTime();
        String failure = check(health, watch, settings, "before frame " + settings.firstFrame(), watch.memory());
        if (failure != null) {
            return new Result(settings.seed(), 0, failure, settings.firstFrame(), settings.firstFrame() - 1, 0,
                    outcomes, kinds);
        }
        try (FrameSender sender = new FrameSender(address, settings.responseWaitMs())) {
            long end = settings.firstFrame() + settings.frames();
            for (long index = settings.firstFrame(); index < end; index++) {
                Frame frame = generator.frame(index);
                kinds.merge(frame.kind(), 1L, Long::sum);
                FrameSender.Outcome outcome = sender.send(frame);
                outcomes.merge(outcome, 1L, Long::sum);
                sent++;
                if (settings.printFrames()) {
                    // Wall-clock time, to match a frame with the node's log lines.
                    log.println("fuzz: " + java.time.LocalTime.now() + " " + frame.describe() + " -> " + outcome);
                }
                String death = watch.death();
                if (death != null) {
                    failure = death + " after " + frame.describe();
                    return new Result(settings.seed(), sent, failure, lastGood + 1, index, maxResident, outcomes,
                            kinds);
                }
                boolean due = (index - settings.firstFrame() + 1) % settings.healthEvery() == 0 || index == end - 1;
                if (due) {
                    ProcessMemory memory = watch.memory();
                    if (memory != null) {
                        maxResident = Math.max(maxResident, memory.peakResidentMegabytes());
                    }
                    failure = check(health, watch, settings, "after frame " + index, memory);
                    if (failure != null) {
                        return new Result(settings.seed(), sent, failure, lastGood + 1, index, maxResident,
                                outcomes, kinds);
                    }
                    lastGood = index;
                    long seconds = Math.max(1, (System.nanoTime() - startNanos) / 1_000_000_000L);
                    log.printf("fuzz: seed %d frames %d..%d healthy (%d frames in %d s; %s; %s)%n", settings.seed(),
                            settings.firstFrame(), index, sent, seconds, memory == null ? "memory unknown" : memory,
                            outcomes);
                }
            }
        }
        return new Result(settings.seed(), sent, null, -1, -1, maxResident, outcomes, kinds);
    }

    /** A health check and a memory check: null when both pass. */
    private static String check(HealthCheck health, NodeWatch watch, Settings settings, String when,
                                ProcessMemory memory) {
        String death = watch.death();
        if (death != null) {
            return death + " (" + when + ")";
        }
        String problem = health.check();
        if (problem != null) {
            String afterwards = watch.death();
            return "health check " + when + ": " + problem + (afterwards == null ? "" : "; " + afterwards);
        }
        // The peak, not the current size: a short blow-up between two checks counts too.
        if (memory != null && settings.rssLimitMegabytes() > 0
                && memory.peakResidentMegabytes() > settings.rssLimitMegabytes()) {
            return "memory check " + when + ": " + memory + " passes the limit of " + settings.rssLimitMegabytes()
                    + " MB";
        }
        return null;
    }
}
