package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The child JVM's command line: the heap and options variables as the fjord script reads them, then the node. */
class NodeCommandLineTest {
    private final ClusterLayout.Node node = ClusterLayout.of(2, Path.of("/tmp/cluster"), 9092, Map.of()).nodes()
            .get(1);

    @Test
    void aNodeGetsASmallerHeapThanFjordStartByDefaultItsLogDirectoryAndItsFile() {
        NodeCommandLine commandLine = new NodeCommandLine("/jdk/bin/java", "/fjord/fjord-server.jar", Map.of(), null,
                null);
        assertThat(commandLine.command(node)).containsExactly("/jdk/bin/java", "-Xmx512m", "-XX:PerMethodTrapLimit=0",
                "-Dfjord.log.dir=/tmp/cluster/node-2", "-cp", "/fjord/fjord-server.jar",
                "io.fjord.server.ClusterNodeMain", "--config", "/tmp/cluster/node-2/server.properties", "--ready-file",
                "/tmp/cluster/node-2/ready");
        assertThat(commandLine.environment(node)).containsExactly(Map.entry("FJORD_LOG_DIR", "/tmp/cluster/node-2"));
    }

    @Test
    void theVariablesAreSplitIntoWordsAsTheScriptSplitsThemAndTheNodesLogDirectoryWins() {
        NodeCommandLine commandLine = new NodeCommandLine("java", "cp", Map.of("FJORD_HEAP_OPTS", " -Xms64m  -Xmx2G ",
                "FJORD_JAVA_OPTS", "-Dfjord.log.level=DEBUG -Dfjord.log.dir=/elsewhere -XX:PerMethodTrapLimit=100"),
                "/conf/logback.xml", null);
        List<String> command = commandLine.command(node);
        // FJORD_JAVA_OPTS comes after the JIT option, so that it can restore the JVM's default (the last -XX wins).
        assertThat(command.subList(0, 9)).containsExactly("java", "-Xms64m", "-Xmx2G", "-XX:PerMethodTrapLimit=0",
                "-Dfjord.log.level=DEBUG", "-Dfjord.log.dir=/elsewhere", "-XX:PerMethodTrapLimit=100", "-Dlogback.configurationFile=/conf/logback.xml",
                "-Dfjord.log.dir=/tmp/cluster/node-2");
        assertThat(new NodeCommandLine("java", "cp", Map.of("FJORD_HEAP_OPTS", "  "), null, null).command(node))
                .contains("-Xmx512m");
    }

    @Test
    void theNodesMapTheClassArchiveOfTheLauncherWithTheJvmsMessagesAboutItOff() {
        NodeCommandLine commandLine = new NodeCommandLine("java", "/fjord/fjord-server.jar",
                Map.of("FJORD_JAVA_OPTS", "-Dx=1"), null, "/fjord/fjord-server.jsa");
        assertThat(commandLine.command(node).subList(0, 7)).containsExactly("java", "-Xmx512m",
                "-XX:PerMethodTrapLimit=0", "-XX:SharedArchiveFile=/fjord/fjord-server.jsa", "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Dx=1");
        assertThat(new NodeCommandLine("java", "cp", Map.of(), null, " ").command(node))
                .noneMatch(word -> word.startsWith("-XX:SharedArchiveFile") || word.startsWith("-Xlog"));
    }

    @Test
    void theNodesEntryPointReadsExactlyTheTwoFilesTheLauncherWritesInEitherOrder() {
        assertThat(ClusterNodeMain.Arguments.parse(List.of("--config", "/c/server.properties", "--ready-file",
                "/c/ready"))).contains(new ClusterNodeMain.Arguments(Path.of("/c/server.properties"),
                Path.of("/c/ready")));
        assertThat(ClusterNodeMain.Arguments.parse(List.of("--ready-file", "/r", "--config", "/s")))
                .contains(new ClusterNodeMain.Arguments(Path.of("/s"), Path.of("/r")));
        // What the launcher never writes is refused rather than guessed at.
        assertThat(ClusterNodeMain.Arguments.parse(List.of("start", "--config", "/s"))).isEmpty();
        assertThat(ClusterNodeMain.Arguments.parse(List.of("--config", "/s", "--config", "/t"))).isEmpty();
        assertThat(ClusterNodeMain.Arguments.parse(List.of("--config", "/s", "--ready", "/r"))).isEmpty();
        assertThat(ClusterNodeMain.Arguments.parse(List.of("--config", " ", "--ready-file", "/r"))).isEmpty();
        // The command line the launcher builds is one the entry point reads.
        List<String> command = new NodeCommandLine("java", "cp", Map.of(), null, null).command(node);
        assertThat(ClusterNodeMain.Arguments.parse(command.subList(command.size() - 4, command.size())))
                .contains(new ClusterNodeMain.Arguments(node.propertiesFile(), node.readyFile()));
    }
}
