package io.fjord.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol fuzzer against a fresh node (a child JVM with -Xmx512m) per seed: fixed seeds, a bounded number of
 * frames, a health check every 500 frames and a bound on the node's peak resident set. More on demand:
 * {@code -Dfjord.fuzz.seeds=1,2,3 -Dfjord.fuzz.frames=100000 -Dfjord.fuzz.rssLimitMb=1536}.
 */
class ProtocolFuzzIT {
    private static final String SEEDS = System.getProperty("fjord.fuzz.seeds", "1,2");
    private static final long FRAMES = Long.getLong("fjord.fuzz.frames", 2_000L);
    private static final long RSS_LIMIT_MEGABYTES = Long.getLong("fjord.fuzz.rssLimitMb", 1_536L);
    private static final int HEALTH_EVERY = Integer.getInteger("fjord.fuzz.healthEvery", 500);

    @TempDir
    Path work;

    @Test
    void everyHealthCheckPassesAndTheNodesMemoryStaysBounded() throws Exception {
        DecompressionBombs bombs = new DecompressionBombs();
        PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        List<String> failures = new ArrayList<>();
        for (String seedText : SEEDS.split(",")) {
            long seed = Long.parseLong(seedText.trim());
            try (NodeProcess node = NodeProcess.start(work.resolve("seed-" + seed),
                    System.getProperty("java.class.path"), List.of("-Xmx512m", "-Xms512m", "-XX:+UseG1GC"),
                    List.of())) {
                FuzzRun.Settings settings = new FuzzRun.Settings(seed, 0, FRAMES, HEALTH_EVERY, 500, 30_000,
                        RSS_LIMIT_MEGABYTES, false);
                FuzzRun.Result result = FuzzRun.run(node.address(), FuzzSetup.prepare(node.address()), bombs,
                        settings, FuzzTool.childWatch(node), log);
                FuzzTool.report(log, result);
                if (!result.healthy()) {
                    failures.add("seed " + seed + ", frames " + result.failedFromFrame() + ".."
                            + result.failedToFrame() + ": " + result.failure() + "\n(replay: bench/fuzz.sh --replay "
                            + seed + ":0-" + result.failedToFrame() + ")\nthe node's last lines:\n"
                            + node.outputTail(30));
                } else {
                    assertThat(result.framesSent()).isEqualTo(FRAMES);
                    assertThat(result.maxResidentMegabytes()).as("peak RSS of seed %d", seed)
                            .isLessThanOrEqualTo(RSS_LIMIT_MEGABYTES);
                }
            }
        }
        assertThat(failures).as("fuzz failures").isEmpty();
    }
}
