package io.fjord.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The entry point of a node that {@code fjord cluster} starts: {@code --config FILE --ready-file FILE}, exactly as
 * {@link NodeCommandLine} writes them, then what {@code fjord start} does ({@link NodeRun}). An internal command line
 * read without picocli, whose reflective model of every subcommand (classes the class archive cannot hold) took a
 * quarter of a second of each node's CPU while three nodes compete for the machine. Runs on the main thread.
 */
final class ClusterNodeMain {
    static final String CONFIG_OPTION = "--config";
    static final String READY_FILE_OPTION = "--ready-file";

    private ClusterNodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Optional<Arguments> arguments = Arguments.parse(List.of(args));
        if (arguments.isEmpty()) {
            System.err.println("fjord: a cluster node takes " + CONFIG_OPTION + " FILE " + READY_FILE_OPTION
                    + " FILE, not " + String.join(" ", args) + " (use fjord start)");
            System.exit(2);
        }
        System.exit(NodeRun.run(arguments.get().configFile(), arguments.get().readyFile()));
    }

    /** The two files; immutable. */
    record Arguments(Path configFile, Path readyFile) {
        /** Both options, once each, in either order; empty for anything else. */
        static Optional<Arguments> parse(List<String> words) {
            if (words.size() != 4) {
                return Optional.empty();
            }
            Path config = null;
            Path ready = null;
            for (int i = 0; i < words.size(); i += 2) {
                String value = words.get(i + 1);
                if (value.isBlank()) {
                    return Optional.empty();
                }
                if (words.get(i).equals(CONFIG_OPTION) && config == null) {
                    config = Path.of(value);
                } else if (words.get(i).equals(READY_FILE_OPTION) && ready == null) {
                    ready = Path.of(value);
                } else {
                    return Optional.empty();
                }
            }
            return Optional.of(new Arguments(config, ready));
        }
    }
}
