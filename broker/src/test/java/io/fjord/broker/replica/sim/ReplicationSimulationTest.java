package io.fjord.broker.replica.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the replication simulation over seeds: {@code -Dreplication.sim.seeds=0-199} (a range, or a comma list),
 * 0-9 by default. Each seed prints a summary line; a failing seed fails with the seed and the trace tail.
 */
class ReplicationSimulationTest {
    @TempDir
    Path directory;

    static List<Long> seeds(String spec) {
        List<Long> seeds = new ArrayList<>();
        for (String part : spec.split(",")) {
            String trimmed = part.trim();
            int dash = trimmed.indexOf('-', 1);
            if (dash > 0) {
                long from = Long.parseLong(trimmed.substring(0, dash));
                long to = Long.parseLong(trimmed.substring(dash + 1));
                for (long seed = from; seed <= to; seed++) {
                    seeds.add(seed);
                }
            } else if (!trimmed.isEmpty()) {
                seeds.add(Long.parseLong(trimmed));
            }
        }
        return seeds;
    }

    @Test
    void parsesSeedRangesAndLists() {
        assertThat(seeds("0-3")).containsExactly(0L, 1L, 2L, 3L);
        assertThat(seeds("5, 9,11-12")).containsExactly(5L, 9L, 11L, 12L);
    }

    @Test
    void acknowledgedRecordsSurviveEveryFaultOverManySeeds() throws IOException {
        long verified = 0;
        // On tmpfs when there is one: the logs' fsyncs cost nothing there, and the simulation decides what a crash
        // keeps itself.
        Path shm = Path.of("/dev/shm");
        Path root = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "fjord-replication-sim-") : directory;
        try {
            for (long seed : seeds(System.getProperty("replication.sim.seeds", "0-9"))) {
                ReplicationSimulation simulation = new ReplicationSimulation(seed, root.resolve("seed-" + seed));
                ReplicationSimulation.Summary summary = simulation.run();
                System.out.println(summary + " " + simulation.partitionStates());
                if (Boolean.getBoolean("replication.sim.trace")) {
                    System.out.println(String.join("\n", simulation.traceTail()));
                }
                verified += summary.verified();
                deleteRecursively(root.resolve("seed-" + seed));
            }
        } finally {
            deleteRecursively(root);
        }
        assertThat(verified).isPositive();
    }

    @Test
    void aLeaderLosingACommittedRecordFailsTheRunWithItsSeedAndTrace() {
        ReplicationSimulation simulation = new ReplicationSimulation(6, directory.resolve("sabotaged"));
        simulation.loseCommittedRecordAt(3_000);

        assertThatThrownBy(simulation::run).isInstanceOf(AssertionError.class)
                .hasMessageContaining("replication simulation seed 6 failed")
                .hasMessageContaining("sabotage: truncating p0")
                .hasMessageContaining("-Dreplication.sim.seeds=6");
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
