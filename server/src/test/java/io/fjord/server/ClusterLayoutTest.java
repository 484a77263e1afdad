package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ports, directories and server.properties of each node of {@code fjord cluster}, and the options it refuses. */
class ClusterLayoutTest {
    @TempDir
    Path directory;

    @Test
    void nodeIGetsTwoPortsFromTheBaseItsOwnDirectoryAndEveryNodeAsAVoter() {
        ClusterLayout layout = ClusterLayout.of(3, directory.resolve("cluster"), 9092, Map.of());
        assertThat(layout.nodes()).extracting(ClusterLayout.Node::clientPort).containsExactly(9092, 9094, 9096);
        assertThat(layout.nodes()).extracting(ClusterLayout.Node::controllerPort).containsExactly(9093, 9095, 9097);
        assertThat(layout.bootstrapServers()).isEqualTo("localhost:9092,localhost:9094,localhost:9096");
        ClusterLayout.Node second = layout.nodes().get(1);
        assertThat(second.dataDirectory()).isEqualTo(directory.resolve("cluster/node-2/data"));
        assertThat(second.propertiesFile()).isEqualTo(directory.resolve("cluster/node-2/server.properties"));
        assertThat(layout.clusterIdFile()).isEqualTo(directory.resolve("cluster/cluster.id"));

        Map<String, String> properties = layout.properties(second);
        assertThat(properties).containsEntry("node.id", "2")
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("listeners", "PLAINTEXT://localhost:9094,CONTROLLER://localhost:9095")
                .containsEntry("advertised.listeners", "PLAINTEXT://localhost:9094")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry("controller.quorum.voters", "1@localhost:9093,2@localhost:9095,3@localhost:9097")
                .containsEntry("log.dirs", directory.resolve("cluster/node-2/data").toString())
                .containsEntry("offsets.topic.replication.factor", "3");
        // A smaller cluster: one offsets-topic replica per node, so its group coordinator is available.
        ClusterLayout pair = ClusterLayout.of(2, directory, 9092, Map.of());
        assertThat(pair.properties(pair.nodes().get(0))).containsEntry("offsets.topic.replication.factor", "2");
    }

    @Test
    void aRelativeDirectoryIsTakenFromTheCurrentDirectory() {
        ClusterLayout layout = ClusterLayout.of(1, Path.of("cluster"), 9092, Map.of());
        assertThat(layout.directory()).isEqualTo(Path.of("").toAbsolutePath().resolve("cluster"));
    }

    @Test
    void theWrittenFileIsWhatANodeStartsWithAndSaysWhereTheOffsetsTopicReplicationFactorComesFrom() throws Exception {
        ClusterLayout layout = ClusterLayout.of(3, directory, 19092, Map.of("num.partitions", "4",
                "log.retention.ms", "3600000"));
        ClusterLayout.Node third = layout.nodes().get(2);
        String text = layout.serverProperties(third);
        assertThat(text).contains("# Kafka's default (3), or one replica per node").contains("# From --config");
        Path file = Files.writeString(directory.resolve("server.properties"), text);

        Map<String, String> read = ServerProperties.read(file);
        assertThat(read).isEqualTo(layout.properties(third));
        NodeConfig config = NodeConfig.fromProperties(read);
        assertThat(config.nodeId()).isEqualTo(3);
        assertThat(config.quorum().voters()).containsOnlyKeys(1, 2, 3);
        assertThat(config.quorum().controllerListener().port()).isEqualTo(19097);
        assertThat(config.numPartitions()).isEqualTo(4);
        assertThat(config.logManagerConfig().logDirs()).containsExactly(third.dataDirectory());
        assertThat(config.brokerConfig().intValue("offsets.topic.replication.factor")).isEqualTo(3);
    }

    @Test
    void extraSettingsReadBackAsTheyWereEvenWithSeparatorsAndLineBreaks() throws Exception {
        Map<String, String> extra = Map.of("my key=odd", "a\\b\nc:d=e#f", "#not.a.comment", "!x");
        ClusterLayout layout = ClusterLayout.of(1, directory, 9092, extra);
        Path file = Files.writeString(directory.resolve("server.properties"),
                layout.serverProperties(layout.nodes().get(0)));
        assertThat(ServerProperties.read(file)).containsAllEntriesOf(extra);
    }

    @Test
    void anExtraSettingMayChangeTheDefaultsButNotTheLayout() {
        ClusterLayout layout = ClusterLayout.of(1, directory, 9092, Map.of("offsets.topic.replication.factor", "2"));
        assertThat(layout.properties(layout.nodes().get(0))).containsEntry("offsets.topic.replication.factor", "2");
        assertThat(layout.serverProperties(layout.nodes().get(0)))
                .containsOnlyOnce("offsets.topic.replication.factor");

        for (String key : ClusterLayout.OWNED_KEYS) {
            assertThatThrownBy(() -> ClusterLayout.of(1, directory, 9092, Map.of(key, "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--config must not set " + key + ": fjord cluster sets it for each node");
        }
        assertThatThrownBy(() -> ClusterLayout.of(1, directory, 9092, Map.of("Log.Dirs", "/x", "node.id", "4")))
                .hasMessage("--config must not set Log.Dirs, node.id: fjord cluster sets them for each node");
    }

    @Test
    void nodeCountsAndPortsOutOfRangeAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> ClusterLayout.of(0, directory, 9092, Map.of()))
                .hasMessage("--nodes must be between 1 and 9, not 0");
        assertThatThrownBy(() -> ClusterLayout.of(10, directory, 9092, Map.of()))
                .hasMessage("--nodes must be between 1 and 9, not 10");
        assertThatThrownBy(() -> ClusterLayout.of(1, directory, 0, Map.of()))
                .hasMessage("--base-port must be between 1 and 65534 for 1 node (two ports each), not 0");
        assertThatThrownBy(() -> ClusterLayout.of(3, directory, 65531, Map.of()))
                .hasMessage("--base-port must be between 1 and 65530 for 3 nodes (two ports each), not 65531");
        assertThat(ClusterLayout.of(3, directory, 65530, Map.of()).nodes().get(2).controllerPort()).isEqualTo(65535);
    }
}
