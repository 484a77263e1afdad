package io.fjord.metadata.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The seeded simulation of the controller's membership and election decisions; see {@link ControllerSimulation}.
 * Seeds: {@code -Dcontroller.sim.seeds} (default 50) from {@code -Dcontroller.sim.firstSeed} (default 0); a failed
 * seed names itself and its last events; rerun it alone with {@code -Dcontroller.sim.firstSeed=N
 * -Dcontroller.sim.seeds=1}.
 */
class ControllerSimulationTest {
    private static final int SEEDS = Integer.getInteger("controller.sim.seeds", 50);
    private static final long FIRST_SEED = Long.getLong("controller.sim.firstSeed", 0L);

    @TestFactory
    Stream<DynamicTest> decisionsKeepTheInvariants() {
        System.out.printf("ControllerSimulationTest covers seeds %d..%d (rerun one with -Dcontroller.sim.firstSeed=N "
                + "-Dcontroller.sim.seeds=1)%n", FIRST_SEED, FIRST_SEED + SEEDS - 1);
        return LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed,
                () -> System.out.println(new ControllerSimulation(seed).run())));
    }

    @Test
    void aSeedReplaysExactly() {
        ControllerSimulation first = new ControllerSimulation(FIRST_SEED);
        String summary = first.run();
        ControllerSimulation second = new ControllerSimulation(FIRST_SEED);
        assertThat(second.run()).isEqualTo(summary);
        assertThat(second.fullTrace()).isEqualTo(first.fullTrace());
    }
}
