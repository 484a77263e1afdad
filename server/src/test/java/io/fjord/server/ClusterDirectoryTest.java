package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.storage.Base64Uuids;
import io.fjord.storage.MetaProperties;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster directory across runs: one cluster id, each node formatted once, and the size it was made with. */
class ClusterDirectoryTest {
    private static final UUID CLUSTER_UUID = new UUID(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);

    @TempDir
    Path directory;

    private int uuids;

    /** The cluster id first, then directory ids, all distinct and known. */
    private UUID nextUuid() {
        return uuids++ == 0 ? CLUSTER_UUID : new UUID(7, uuids);
    }

    private String prepare(ClusterLayout layout, ByteArrayOutputStream out) {
        return new ClusterDirectory(layout, this::nextUuid).prepare(new PrintStream(out, true,
                StandardCharsets.UTF_8));
    }

    private ClusterLayout layout(int nodes) {
        return ClusterLayout.of(nodes, directory.resolve("cluster"), 9092, Map.of());
    }

    @Test
    void theFirstRunMakesAClusterIdAndFormatsEveryNodeWithItLaterRunsReuseBoth() throws Exception {
        ClusterLayout layout = layout(3);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        String clusterId = prepare(layout, first);

        assertThat(clusterId).isEqualTo(Base64Uuids.encode(CLUSTER_UUID));
        assertThat(layout.clusterIdFile()).hasContent(clusterId);
        assertThat(first.toString(StandardCharsets.UTF_8).lines()).hasSize(3)
                .allMatch(line -> line.startsWith("Formatting metadata directory " + layout.directory().resolve("node-"))
                        && line.contains(" for cluster " + clusterId));
        for (ClusterLayout.Node node : layout.nodes()) {
            MetaProperties identity = MetaProperties.read(node.dataDirectory()).orElseThrow();
            assertThat(identity.clusterId()).hasValue(clusterId);
            assertThat(identity.nodeId()).hasValue(node.nodeId());
            assertThat(node.propertiesFile()).hasContent(layout.serverProperties(node));
        }
        String firstIdentity = Files.readString(layout.nodes().get(0).dataDirectory().resolve("meta.properties"));

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        assertThat(prepare(layout, second)).isEqualTo(clusterId);
        assertThat(second.toString(StandardCharsets.UTF_8)).as("nothing new to format").isEmpty();
        assertThat(layout.nodes().get(0).dataDirectory().resolve("meta.properties")).hasContent(firstIdentity);
    }

    @Test
    void theFilesAreRewrittenFromTheOptionsAtEveryRun() throws Exception {
        prepare(layout(2), new ByteArrayOutputStream());
        ClusterLayout otherPorts = ClusterLayout.of(2, directory.resolve("cluster"), 19092, Map.of("num.partitions",
                "6"));
        prepare(otherPorts, new ByteArrayOutputStream());
        assertThat(Files.readString(otherPorts.nodes().get(1).propertiesFile()))
                .contains("listeners=PLAINTEXT://localhost:19094,CONTROLLER://localhost:19095", "num.partitions=6");
    }

    @Test
    void aDirectoryHoldingAClusterOfAnotherSizeIsRefused() {
        prepare(layout(3), new ByteArrayOutputStream());
        Path cluster = directory.resolve("cluster");
        assertThatThrownBy(() -> prepare(layout(1), new ByteArrayOutputStream()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(cluster + " holds a cluster of 3 nodes (node ids [1, 2, 3]), not of 1: use --nodes 3"
                        + " or another --directory");
        assertThatThrownBy(() -> prepare(layout(5), new ByteArrayOutputStream()))
                .hasMessageContaining("not of 5: use --nodes 3");
        assertThat(cluster.resolve("node-4")).doesNotExist();
    }

    @Test
    void aMissingOrDamagedClusterIdFileIsRefusedRatherThanReplaced() throws Exception {
        ClusterLayout layout = layout(1);
        prepare(layout, new ByteArrayOutputStream());
        Files.writeString(layout.clusterIdFile(), "not-an-id\n");
        assertThatThrownBy(() -> prepare(layout, new ByteArrayOutputStream()))
                .hasMessage(layout.clusterIdFile() + " does not hold a cluster id (22 characters of base64):"
                        + " 'not-an-id'");
        Files.write(layout.clusterIdFile(), new byte[4096]);
        assertThatThrownBy(() -> prepare(layout, new ByteArrayOutputStream()))
                .hasMessage(layout.clusterIdFile() + " is not a cluster id: it holds 4096 bytes");
        Files.delete(layout.clusterIdFile());
        assertThatThrownBy(() -> prepare(layout, new ByteArrayOutputStream()))
                .hasMessageStartingWith(layout.clusterIdFile() + " is missing but the nodes in "
                        + layout.directory() + " are formatted");
    }

    @Test
    void aNodeOfAnotherClusterIsRefusedNamingItsFile() throws Exception {
        ClusterLayout layout = layout(1);
        prepare(layout, new ByteArrayOutputStream());
        Files.writeString(layout.clusterIdFile(), "j8xlT-kGTom22UlSGqzpBg\n");
        assertThatThrownBy(() -> prepare(layout, new ByteArrayOutputStream()))
                .hasMessageContaining(layout.nodes().get(0).dataDirectory().resolve("meta.properties").toString())
                .hasMessageContaining("j8xlT-kGTom22UlSGqzpBg")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aBadExtraSettingIsOneLineNamingTheNodeAndTheKey() {
        ClusterLayout layout = ClusterLayout.of(1, directory.resolve("cluster"), 9092,
                Map.of("num.partitions", "many"));
        assertThatThrownBy(() -> prepare(layout, new ByteArrayOutputStream()))
                .hasMessageStartingWith("node 1: ").hasMessageContaining("num.partitions")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void addScramCredentialsGoToEveryNodeFormattedByTheRunOnly() throws Exception {
        ClusterLayout layout = layout(3);
        java.security.SecureRandom random = new java.security.SecureRandom();
        java.util.List<io.fjord.metadata.records.MetadataRecord> broker = java.util.List.of(
                ScramBootstrap.parse("SCRAM-SHA-512=[name=broker,password=broker-secret]", random));
        new ClusterDirectory(layout, this::nextUuid, broker).prepare(new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8));
        for (ClusterLayout.Node node : layout.nodes()) {
            // Every controller holds the same records: whichever becomes active first commits them.
            assertThat(io.fjord.metadata.quorum.BootstrapRecords.read(node.dataDirectory())).isEqualTo(broker);
        }
        java.util.List<io.fjord.metadata.records.MetadataRecord> later = java.util.List.of(
                ScramBootstrap.parse("SCRAM-SHA-256=[name=late,password=late-secret]", random));
        new ClusterDirectory(layout, this::nextUuid, later).prepare(new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8));
        assertThat(io.fjord.metadata.quorum.BootstrapRecords.read(layout.nodes().get(0).dataDirectory()))
                .isEqualTo(broker);
    }
}
