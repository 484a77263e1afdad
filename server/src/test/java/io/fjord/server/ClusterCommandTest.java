package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fjord cluster}'s argument checks: each is one line and exit code 1, before any node starts. (The running
 * cluster, its signals and its children are tested by {@code ClusterCommandIT}.)
 */
class ClusterCommandTest {
    @TempDir
    Path directory;

    private CommandRun cluster(String... arguments) {
        String[] all = new String[arguments.length + 3];
        all[0] = "cluster";
        all[1] = "--directory";
        all[2] = directory.resolve("cluster").toString();
        System.arraycopy(arguments, 0, all, 3, arguments.length);
        return CommandRun.of(all);
    }

    private static void assertOneLineFailure(CommandRun run, String expected) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("fjord: cluster: " + expected + System.lineSeparator());
    }

    @Test
    void optionsOutOfRangeAreOneLineEach() {
        assertOneLineFailure(cluster("--nodes", "0"), "--nodes must be between 1 and 9, not 0");
        assertOneLineFailure(cluster("--nodes", "12"), "--nodes must be between 1 and 9, not 12");
        assertOneLineFailure(cluster("--base-port", "65535"),
                "--base-port must be between 1 and 65530 for 3 nodes (two ports each), not 65535");
        assertThat(directory.resolve("cluster")).doesNotExist();
    }

    @Test
    void aConfigFileThatSetsTheLayoutOrCannotBeReadIsRefused() throws Exception {
        Path config = Files.writeString(directory.resolve("extra.properties"), "num.partitions=3\nlisteners=x\n");
        assertOneLineFailure(cluster("--config", config.toString()),
                "--config must not set listeners: fjord cluster sets it for each node");
        Path missing = directory.resolve("missing.properties");
        assertOneLineFailure(cluster("--config", missing.toString()),
                "cannot read the configuration file " + missing + ": no such file or directory");
    }

    @Test
    void aDirectoryOfAnotherClusterSizeIsRefused() {
        Path cluster = directory.resolve("cluster");
        new ClusterDirectory(ClusterLayout.of(2, cluster, 9092, java.util.Map.of()), java.util.UUID::randomUUID)
                .prepare(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertOneLineFailure(cluster("--nodes", "3"), cluster + " holds a cluster of 2 nodes (node ids [1, 2]),"
                + " not of 3: use --nodes 2 or another --directory");
    }

    @Test
    void aDirectoryThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(directory.resolve("cluster"), "");
        assertOneLineFailure(cluster(), "--directory entry " + file + " is a file, not a directory");
    }

    @Test
    void helpNamesThePortsTheDirectoryAndTheVariables() {
        CommandRun run = CommandRun.of("cluster", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--nodes", "--directory", "--base-port", "--config", "DIR/node-i",
                "FJORD_HEAP_OPTS", "default: 3", "default: 9092", "./cluster");
    }
}
