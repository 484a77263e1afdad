package io.fjord.bench.load;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * End-to-end load tool over the unmodified Kafka Java client, for Fjord or Apache Kafka brokers alike:
 * {@code java -cp bench/target/fjord-bench.jar io.fjord.bench.load.LoadTool
 * produce|consume|rebalance|commit|end-to-end ...}. Progress lines go to standard error once a second, the summary
 * (with a {@code RESULT key=value ...} line for scripts) to standard output. Not thread-safe; one run per process.
 */
@Command(name = "fjord-load", mixinStandardHelpOptions = true,
        description = "Produce, consume, rebalance or commit load against a Kafka-protocol broker and report "
                + "throughput and latency.")
public final class LoadTool implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private LoadTool() {
    }

    /** Without a mode: the usage, and a usage error's exit code. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }

    static CommandLine commandLine(PrintStream out, PrintStream progress) {
        CommandLine commandLine = new CommandLine(new LoadTool());
        commandLine.addSubcommand(new ProduceCommand(out, progress));
        commandLine.addSubcommand(new ConsumeCommand(out, progress));
        commandLine.addSubcommand(new RebalanceCommand(out, progress));
        commandLine.addSubcommand(new CommitCommand(out, progress));
        commandLine.addSubcommand(new EndToEndCommand(out, progress));
        return commandLine;
    }

    public static void main(String[] arguments) {
        System.exit(commandLine(System.out, System.err).execute(arguments));
    }
}
