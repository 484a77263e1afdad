package io.fjord.metadata.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The seeded simulation of a whole cluster (Raft voters, the controller, brokers) under crashes, partitions and
 * controller failovers; see {@link ClusterSimulation}. Seeds: {@code -Dcluster.sim.seeds=FIRST-LAST} (inclusive) or
 * {@code -Dcluster.sim.seeds=N} for one; the default is a short range. The run prints the range it covers; a failed
 * seed prints its report (the invariant, the replay command, the tail of its events) and writes its whole event log to
 * {@code target/cluster-sim/seed-N.trace}.
 */
class ClusterSimulationTest {
    private static final String SEEDS = System.getProperty("cluster.sim.seeds", "0-9");

    @TestFactory
    Stream<DynamicTest> clusterKeepsItsInvariantsAndSettlesAfterFaults() {
        long[] range = range(SEEDS);
        System.out.printf("ClusterSimulationTest covers seeds %d-%d (select with -Dcluster.sim.seeds=FIRST-LAST, or "
                + "=N for one)%n", range[0], range[1]);
        return LongStream.rangeClosed(range[0], range[1])
                .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> runSeed(seed)));
    }

    @Test
    void aSeedReplaysExactly() {
        long seed = range(SEEDS)[0];
        ClusterSimulation first = new ClusterSimulation(seed);
        String summary = first.run();
        ClusterSimulation second = new ClusterSimulation(seed);
        assertThat(second.run()).isEqualTo(summary);
        assertThat(second.fullTrace()).isEqualTo(first.fullTrace());
    }

    static long[] range(String seeds) {
        String[] bounds = seeds.trim().split("-", 2);
        long first = Long.parseLong(bounds[0].trim());
        long last = bounds.length == 2 ? Long.parseLong(bounds[1].trim()) : first;
        if (last < first) {
            throw new IllegalArgumentException("cluster.sim.seeds " + seeds + ": the last seed is before the first");
        }
        return new long[] {first, last};
    }

    private static void runSeed(long seed) {
        ClusterSimulation simulation = new ClusterSimulation(seed);
        try {
            System.out.println(simulation.run());
        } catch (AssertionError failure) {
            writeTrace(seed, simulation.fullTrace());
            System.out.println(failure.getMessage());
            throw failure;
        }
    }

    private static void writeTrace(long seed, String trace) {
        try {
            Path directory = Path.of("target", "cluster-sim");
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("seed-" + seed + ".trace"), trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
