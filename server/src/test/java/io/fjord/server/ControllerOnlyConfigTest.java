package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.raft.ReplicaKey;
import io.fjord.raft.VoterSet;
import io.fjord.storage.MetaProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a controller-only node ({@code process.roles=controller}, Kafka's isolated mode) accepts and refuses, as Kafka
 * 4.4's KafkaConfig checks it: only controller listeners, its id among static voters, and voters or bootstrap servers;
 * and {@code fjord format} of one, for a static quorum and {@code --standalone} for a dynamic one.
 */
class ControllerOnlyConfigTest {
    private static final String VOTERS = "1@localhost:9093,2@host2:9093,3@host3:9093";
    private static final String CLUSTER_ID = "S1ko1WYJQiGxQO_oasZ_qg";
    private static final Map<String, String> CONTROLLER_ONLY = Map.of("process.roles", "controller",
            "controller.listener.names", "CONTROLLER");

    @TempDir
    Path directory;

    private static NodeConfig config(String... keysAndValues) {
        return NodeConfigFixture.config(CONTROLLER_ONLY, keysAndValues);
    }

    private static String refusal(String... keysAndValues) {
        return NodeConfigFixture.refusal(CONTROLLER_ONLY, keysAndValues);
    }

    @Test
    void aControllerOfAStaticQuorumListensOnlyOnItsControllerListener() {
        NodeConfig controller = config("node.id", "1", "controller.quorum.voters", VOTERS,
                "listeners", "CONTROLLER://:9093");
        assertThat(controller.quorum().isController()).isTrue();
        assertThat(controller.quorum().isBroker()).isFalse();
        assertThat(controller.quorum().voters()).containsOnlyKeys(1, 2, 3);
        assertThat(controller.quorum().controllerListener().port()).isEqualTo(9093);
        // Nothing for clients: no broker listener, nothing advertised for a registration it never sends.
        assertThat(controller.networkConfig()).isNull();
        assertThat(controller.advertisedListeners()).isEmpty();
    }

    @Test
    void aControllerOfADynamicQuorumTakesBootstrapServers() {
        NodeConfig joining = config("node.id", "1", "controller.quorum.bootstrap.servers",
                "localhost:9093,host2:9093,host3:9093", "listeners", "CONTROLLER://:9093");
        assertThat(joining.quorum().isDynamic()).isTrue();
        assertThat(joining.quorum().bootstrapServers()).hasSize(2);
        // Kafka's config/controller.properties: the bootstrap server is this controller (formatted --standalone).
        NodeConfig alone = config("node.id", "1", "controller.quorum.bootstrap.servers", "localhost:9093",
                "listeners", "CONTROLLER://:9093");
        assertThat(alone.quorum().isStandalone()).isTrue();
        assertThat(alone.quorum().isBroker()).isFalse();
        assertThat(alone.quorum().controllerListener().port()).isEqualTo(9093);
    }

    @Test
    void kafkasRefusalsForAControllerOnlyNode() {
        assertThat(refusal("node.id", "1", "controller.quorum.voters", VOTERS,
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"))
                .contains("listeners", "must only contain KRaft controller listeners");
        assertThat(refusal("node.id", "4", "controller.quorum.voters", VOTERS, "listeners", "CONTROLLER://:9093"))
                .contains("controller.quorum.voters", "node id 4 must be included");
        assertThat(refusal("node.id", "1", "controller.quorum.voters", VOTERS, "listeners", "CONTROLLER://:9093",
                "controller.listener.names", "OTHER")).contains("listeners", "controller listeners");
        // Without voters or bootstrap servers there is no quorum to join (Fjord's zero-configuration node has both
        // roles).
        assertThat(refusal("node.id", "1", "listeners", "CONTROLLER://:9093"))
                .contains("controller.quorum.voters", "controller.quorum.bootstrap.servers");
        assertThat(refusal("node.id", "1", "controller.quorum.voters", VOTERS, "listeners", "CONTROLLER://:9093",
                "inter.broker.listener.name", "CONTROLLER")).contains("controller.listener.names",
                "inter.broker.listener.name");
    }

    @Test
    void aControllerOnlyNodeIsFormattedForAStaticOrADynamicQuorum() throws Exception {
        Path staticFile = directory.resolve("static.properties");
        Files.writeString(staticFile, "node.id=1\nprocess.roles=controller\nlisteners=CONTROLLER://127.0.0.1:9093\n"
                + "controller.listener.names=CONTROLLER\ncontroller.quorum.voters=" + VOTERS + "\nlog.dirs="
                + directory.resolve("static") + "\n");
        CommandRun formatted = CommandRun.of("format", "--cluster-id", CLUSTER_ID, "--config", staticFile.toString());
        assertThat(formatted.exitCode()).as(formatted.err()).isZero();
        assertThat(MetaProperties.read(directory.resolve("static")).orElseThrow().clusterId()).contains(CLUSTER_ID);

        // Kafka's config/controller.properties, formatted --standalone: the one initial voter of a dynamic quorum.
        Path dynamicFile = directory.resolve("dynamic.properties");
        Files.writeString(dynamicFile, "node.id=1\nprocess.roles=controller\nlisteners=CONTROLLER://127.0.0.1:9093\n"
                + "controller.listener.names=CONTROLLER\ncontroller.quorum.bootstrap.servers=127.0.0.1:9093\n"
                + "log.dirs=" + directory.resolve("dynamic") + "\n");
        CommandRun standalone = CommandRun.of("format", "--cluster-id", CLUSTER_ID, "--config",
                dynamicFile.toString(), "--standalone");
        assertThat(standalone.exitCode()).as(standalone.err()).isZero();
        VoterSet voters = VoterSet.decode(Files.readAllBytes(directory.resolve("dynamic")
                .resolve("__cluster_metadata-0/00000000000000000000-0000000000.checkpoint"))).orElseThrow();
        assertThat(voters.keys()).containsExactly(new ReplicaKey(1, MetaProperties.read(directory.resolve("dynamic"))
                .orElseThrow().directoryId().orElseThrow()));
    }
}
