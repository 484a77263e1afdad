package io.fjord.bench.cluster;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The cluster benchmarks of issues #11 and #12 over the unmodified Kafka Admin client, for a Fjord or an Apache Kafka
 * cluster alike: {@code java -cp bench/target/fjord-bench.jar io.fjord.bench.cluster.ClusterBench
 * ready|create-rate|failover|in-sync|leader-move ...}. Each mode prints one {@code RESULT key=value ...} line on
 * standard output for scripts ({@code bench/cluster-bench.sh}, {@code bench/replication-bench.sh}); details and
 * failures go to standard error. Not thread-safe; one run per process.
 */
@Command(name = "fjord-cluster-bench", mixinStandardHelpOptions = true,
        description = "Measure a cluster's start-up, topic creation rate, controller failover, replica catch-up"
                + " and leadership moves.")
public final class ClusterBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private ClusterBench() {
    }

    /** Without a mode: the usage, and a usage error's exit code. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new ClusterBench());
        commandLine.addSubcommand(new ReadyCommand(out, err));
        commandLine.addSubcommand(new CreateRateCommand(out, err));
        commandLine.addSubcommand(new FailoverCommand(out, err));
        commandLine.addSubcommand(new InSyncCommand(out, err));
        commandLine.addSubcommand(new LeaderMoveCommand(out, err));
        return commandLine;
    }

    public static void main(String[] arguments) {
        System.exit(commandLine(System.out, System.err).execute(arguments));
    }
}
