package io.fjord.bench.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fjord's protocol fuzzer (issue #10): sends seeded, replayable, mutated but well-framed Kafka requests to a node and
 * checks its health every N frames. Runs against {@code --bootstrap} or, by default, a fresh node per seed in a child
 * JVM. Exit code 0 when every health check passed, 1 at the first failure (with the seed and frame range to replay),
 * 2 when the run could not start. Run with {@code bench/fuzz.sh}. Not thread-safe; one per process.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = "Sends seeded, mutated, well-framed Kafka requests to a Fjord node and checks its health.")
public final class FuzzTool implements Callable<Integer> {
    @Option(names = "--seed", split = ",", description = "Seeds to run, one after the other (default: 1).")
    List<Long> seeds = new ArrayList<>(List.of(1L));

    @Option(names = "--frames", description = "Frames per seed (default: ${DEFAULT-VALUE}).")
    long frames = 10_000;

    @Option(names = "--first-frame", description = "Index of the first frame (default: ${DEFAULT-VALUE}).")
    long firstFrame = 0;

    @Option(names = "--replay", description = "SEED:FRAME re-sends one frame, SEED:FROM-TO a range "
            + "(0-TO: the prefix), printing each frame.")
    String replay;

    @Option(names = "--bootstrap", description = "host:port of a running node (default: start a fresh node per seed).")
    String bootstrap;

    @Option(names = "--node-pid", description = "With --bootstrap: the node's pid, for memory checks.")
    Long nodePid;

    @Option(names = "--health-every", description = "Frames between health checks (default: ${DEFAULT-VALUE}).")
    int healthEvery = 500;

    @Option(names = "--health-timeout-ms", description = "Bound on one health check (default: ${DEFAULT-VALUE}).")
    int healthTimeoutMs = 30_000;

    @Option(names = "--response-wait-ms", description = "Wait for each frame's answer (default: ${DEFAULT-VALUE}).")
    int responseWaitMs = 500;

    @Option(names = "--rss-limit-mb", description = "Peak resident set the node may reach, 0 for none "
            + "(default: ${DEFAULT-VALUE}).")
    long rssLimitMegabytes = 1_536;

    @Option(names = "--node-heap", description = "-Xmx of a node this tool starts (default: ${DEFAULT-VALUE}).")
    String nodeHeap = "512m";

    @Option(names = "--server-classpath", description = "Class path of a node this tool starts "
            + "(default: server/target/fjord-server.jar).")
    String serverClassPath = "server/target/fjord-server.jar";

    @Option(names = "--work-dir", description = "Where started nodes keep data and output (default: a temporary "
            + "directory, deleted after a healthy run).")
    Path workDirectory;

    @Option(names = "--print-frames", description = "Print every frame and its outcome.")
    boolean printFrames;

    public static void main(String[] args) {
        // A run that cannot start (no jar, no node, setup refused) exits with 2; a failed check returns 1.
        System.exit(new CommandLine(new FuzzTool()).setExecutionExceptionHandler((exception, command, parsed) -> {
            exception.printStackTrace();
            return 2;
        }).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (replay != null) {
            applyReplay(replay);
        }
        boolean keep = workDirectory != null;
        Path work = workDirectory != null ? workDirectory : Files.createTempDirectory("fjord-fuzz");
        DecompressionBombs bombs = new DecompressionBombs();
        boolean healthy = true;
        for (long seed : seeds) {
            FuzzRun.Settings settings = new FuzzRun.Settings(seed, firstFrame, frames, healthEvery, responseWaitMs,
                    healthTimeoutMs, rssLimitMegabytes, printFrames);
            FuzzRun.Result result;
            if (bootstrap != null) {
                InetSocketAddress address = parseAddress(bootstrap);
                result = FuzzRun.run(address, FuzzSetup.prepare(address), bombs, settings,
                        externalWatch(nodePid), out);
            } else {
                Path seedDirectory = work.resolve("seed-" + seed);
                try (NodeProcess node = NodeProcess.start(seedDirectory, serverClassPath,
                        List.of("-Xmx" + nodeHeap, "-Xms" + nodeHeap, "-XX:+UseG1GC"), List.of())) {
                    out.printf("fuzz: node pid %d on %s, output %s%n", node.pid(), node.address(), node.output());
                    result = FuzzRun.run(node.address(), FuzzSetup.prepare(node.address()), bombs, settings,
                            childWatch(node), out);
                    if (!result.healthy()) {
                        out.println("fuzz: the node's last output lines:\n" + node.outputTail(40));
                        keep = true;
                    }
                }
            }
            report(out, result);
            healthy &= result.healthy();
            if (!result.healthy()) {
                break;
            }
        }
        if (!keep) {
            deleteRecursively(work);
        } else {
            out.println("fuzz: kept " + work);
        }
        return healthy ? 0 : 1;
    }

    private void applyReplay(String value) {
        String[] seedAndFrames = value.split(":", 2);
        if (seedAndFrames.length != 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--replay takes SEED:FRAME or "
                    + "SEED:FROM-TO, got " + value);
        }
        seeds = List.of(Long.parseLong(seedAndFrames[0]));
        String[] range = seedAndFrames[1].split("-", 2);
        firstFrame = Long.parseLong(range[0]);
        long last = range.length == 2 ? Long.parseLong(range[1]) : firstFrame;
        frames = last - firstFrame + 1;
        printFrames = true;
    }

    static void report(PrintStream out, FuzzRun.Result result) {
        if (result.healthy()) {
            out.printf("FUZZ OK seed=%d frames=%d maxRssMb=%d outcomes=%s kinds=%s%n", result.seed(),
                    result.framesSent(), result.maxResidentMegabytes(), result.outcomes(), result.kinds());
        } else {
            out.printf("FUZZ FAILURE seed=%d frames=%d..%d: %s%n", result.seed(), result.failedFromFrame(),
                    result.failedToFrame(), result.failure());
            out.printf("fuzz: replay with: bench/fuzz.sh --replay %d:%d-%d (or %d:0-%d for the whole prefix)%n",
                    result.seed(), result.failedFromFrame(), result.failedToFrame(), result.seed(),
                    result.failedToFrame());
        }
    }

    private static InetSocketAddress parseAddress(String value) {
        int colon = value.lastIndexOf(':');
        return new InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    }

    static FuzzRun.NodeWatch childWatch(NodeProcess node) {
        return new FuzzRun.NodeWatch() {
            @Override
            public String death() {
                Integer exit = node.exitCode();
                return exit == null ? null : "the node exited with code " + exit;
            }

            @Override
            public ProcessMemory memory() {
                return ProcessMemory.of(node.pid());
            }
        };
    }

    private static FuzzRun.NodeWatch externalWatch(Long pid) {
        return new FuzzRun.NodeWatch() {
            @Override
            public String death() {
                if (pid == null) {
                    return null;
                }
                return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? null
                        : "the node (pid " + pid + ") is gone";
            }

            @Override
            public ProcessMemory memory() {
                return pid == null ? null : ProcessMemory.of(pid);
            }
        };
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
