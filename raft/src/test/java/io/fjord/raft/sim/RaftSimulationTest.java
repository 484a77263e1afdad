package io.fjord.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The seeded simulation of 3- and 5-voter quorums (some with an observer) under crashes, partitions and lossy links;
 * see {@link Simulation}. Seeds: {@code -Draft.sim.seeds} (default 300) from {@code -Draft.sim.firstSeed}
 * (default 0); the run prints the range it covered. A failed seed prints its trace and writes the whole trace to
 * {@code target/raft-sim/seed-N.trace}; rerun it alone with {@code -Draft.sim.firstSeed=N -Draft.sim.seeds=1}.
 */
class RaftSimulationTest {
    private static final int SEEDS = Integer.getInteger("raft.sim.seeds", 300);
    private static final long FIRST_SEED = Long.getLong("raft.sim.firstSeed", 0L);
    private static long startNanos;
    private static long events;

    @TestFactory
    Stream<DynamicTest> quorumStaysSafeAndRecoversUnderFaults() {
        System.out.printf("RaftSimulationTest covers seeds %d..%d (%d seeds; rerun one with -Draft.sim.firstSeed=N "
                + "-Draft.sim.seeds=1)%n", FIRST_SEED, FIRST_SEED + SEEDS - 1, SEEDS);
        startNanos = System.nanoTime();
        return LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS)
                .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> runSeed(seed)));
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[] {FIRST_SEED, FIRST_SEED + 1}) {
            Simulation first = new Simulation(seed);
            String firstSummary = first.run();
            Simulation second = new Simulation(seed);
            assertThat(second.run()).isEqualTo(firstSummary);
            assertThat(second.fullTrace()).isEqualTo(first.fullTrace());
        }
    }

    private static void runSeed(long seed) {
        Simulation simulation = new Simulation(seed);
        try {
            String summary = simulation.run();
            System.out.println(summary);
        } catch (AssertionError failure) {
            writeTrace(seed, simulation.fullTrace());
            System.out.println(failure.getMessage());
            throw failure;
        }
    }

    private static void writeTrace(long seed, String trace) {
        try {
            Path directory = Path.of("target", "raft-sim");
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("seed-" + seed + ".trace"), trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("RaftSimulationTest ran seeds %d..%d in %d ms%n", FIRST_SEED, FIRST_SEED + SEEDS - 1,
                (System.nanoTime() - startNanos) / 1_000_000);
    }
}
