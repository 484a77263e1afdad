package io.fjord.server;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fjord} command line: one entry point whose subcommands run a node and the tools. Not thread-safe; runs
 * once per process on the main thread.
 */
@Command(name = "fjord", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = "Fjord: a streaming platform that speaks the Kafka protocol.",
        subcommands = {StartCommand.class, ClusterCommand.class, FormatCommand.class, RandomUuidCommand.class,
                VersionCommand.class, DumpLogCommand.class, CommandLine.HelpCommand.class})
public final class FjordCli implements Callable<Integer> {
    /** Picocli's exit code for a usage error. */
    private static final int USAGE_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; for tests. */
    public static int run(String... args) {
        return new CommandLine(new FjordCli()).execute(args);
    }

    /** Without a command there is nothing to do: the usage goes to standard error and the exit code says so. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return USAGE_ERROR;
    }
}
