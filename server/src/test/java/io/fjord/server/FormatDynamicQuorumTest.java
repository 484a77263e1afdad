package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.raft.ReplicaKey;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.VoterSet;
import io.fjord.storage.Base64Uuids;
import io.fjord.storage.MetaProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fjord format} for a dynamic quorum (KIP-853), as {@code kafka-storage format}: {@code --standalone} and
 * {@code --initial-controllers} write the bootstrap checkpoint with the initial voters (this node's directory id
 * recorded), {@code --no-initial-controllers} writes none, and what Kafka refuses is refused with its one line.
 */
class FormatDynamicQuorumTest {
    private static final String CLUSTER_ID = "S1ko1WYJQiGxQO_oasZ_qg";
    private static final String CHECKPOINT = "__cluster_metadata-0/00000000000000000000-0000000000.checkpoint";

    @TempDir
    Path directory;

    private Path metadata() {
        return directory.resolve("metadata");
    }

    /** A controller (or broker) of a dynamic quorum whose bootstrap servers are three controllers. */
    private Path config(int nodeId, String roles, String extra) throws Exception {
        Path file = directory.resolve("server-" + nodeId + ".properties");
        String listeners = roles.equals("broker") ? "PLAINTEXT://127.0.0.1:9092"
                : "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + (9092 + nodeId);
        Files.writeString(file, "node.id=" + nodeId + "\nprocess.roles=" + roles + "\nlisteners=" + listeners
                + "\ncontroller.listener.names=CONTROLLER\n"
                + "controller.quorum.bootstrap.servers=127.0.0.1:9093,127.0.0.1:9094,127.0.0.1:9095\n"
                + "log.dirs=" + directory.resolve("logs") + "\nmetadata.log.dir=" + metadata() + "\n" + extra);
        return file;
    }

    private static CommandRun format(Path config, String... more) {
        List<String> arguments = new java.util.ArrayList<>(List.of("format", "--cluster-id", CLUSTER_ID, "--config",
                config.toString()));
        arguments.addAll(List.of(more));
        return CommandRun.of(arguments.toArray(String[]::new));
    }

    private static void assertOneLineFailure(CommandRun run, String expected) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err().strip()).isEqualTo("fjord: format: " + expected);
    }

    private VoterSet checkpointVoters() throws Exception {
        return VoterSet.decode(Files.readAllBytes(metadata().resolve(CHECKPOINT))).orElseThrow();
    }

    private UUID metadataDirectoryId() throws Exception {
        return MetaProperties.read(metadata()).orElseThrow().directoryId().orElseThrow();
    }

    @Test
    void standaloneMakesThisControllerTheOneInitialVoterWithItsDirectoryIdAndEndpoint() throws Exception {
        CommandRun run = format(config(1, "broker,controller", ""), "--standalone");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Formatting dynamic metadata voter directory " + metadata());
        VoterSet voters = checkpointVoters();
        assertThat(voters.keys()).containsExactly(new ReplicaKey(1, metadataDirectoryId()));
        assertThat(voters.endpoints(1)).containsExactly(new VoterEndpoint("CONTROLLER", "127.0.0.1", 9093));
        // As Kafka's formatter records it: the voter supports this software's kraft.version levels, 0 to 1.
        assertThat(voters.supportedKraftVersions(1)).isEqualTo(io.fjord.raft.KraftVersionRange.SUPPORTED);
        // The log directory is formatted as data, without a checkpoint.
        assertThat(directory.resolve("logs").resolve(CHECKPOINT)).doesNotExist();
    }

    @Test
    @Timeout(120)
    void aNodeFormattedForADynamicQuorumRefusesToStartWithStaticVoters() throws Exception {
        assertThat(format(config(1, "broker,controller", ""), "--standalone").exitCode()).isZero();
        Path staticQuorum = directory.resolve("static.properties");
        Files.writeString(staticQuorum, "node.id=1\nlisteners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0\n"
                + "controller.listener.names=CONTROLLER\ncontroller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9094\n"
                + "log.dirs=" + directory.resolve("logs") + "\nmetadata.log.dir=" + metadata() + "\n");
        FjordNode node = new FjordNode(NodeConfig.fromProperties(ServerProperties.read(staticQuorum)),
                java.time.InstantSource.system());
        try {
            // Else the checkpoint's voter set ({1}) would overrule the configured one and node 1 lead alone.
            org.assertj.core.api.Assertions.assertThatThrownBy(node::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("controller.quorum.voters is set")
                    .hasMessageContaining("formatted for a dynamic quorum");
        } finally {
            node.stop();
        }
    }

    @Test
    void initialControllersNameEveryInitialVoterAndThisNodesDirectoryId() throws Exception {
        UUID one = UUID.randomUUID();
        UUID two = UUID.randomUUID();
        UUID three = UUID.randomUUID();
        String list = "1@127.0.0.1:9093:" + Base64Uuids.encode(one) + ",2@127.0.0.1:9094:" + Base64Uuids.encode(two)
                + ",3@[::1]:9095:" + Base64Uuids.encode(three);
        CommandRun run = format(config(2, "broker,controller", ""), "--initial-controllers", list);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(metadataDirectoryId()).isEqualTo(two);
        VoterSet voters = checkpointVoters();
        assertThat(voters.keys()).containsExactly(new ReplicaKey(1, one), new ReplicaKey(2, two),
                new ReplicaKey(3, three));
        assertThat(voters.endpoints(3)).containsExactly(new VoterEndpoint("CONTROLLER", "::1", 9095));
    }

    @Test
    void noInitialControllersFormatsWithoutVotersAndBrokersNeedNoOption() throws Exception {
        CommandRun run = format(config(4, "broker,controller", ""), "--no-initial-controllers");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Formatting metadata directory " + metadata());
        assertThat(metadata().resolve(CHECKPOINT)).doesNotExist();
        assertThat(metadata().resolve("meta.properties")).exists();

        Files.delete(metadata().resolve("meta.properties"));
        Files.delete(directory.resolve("logs").resolve("meta.properties"));
        CommandRun broker = format(config(7, "broker", ""));
        assertThat(broker.exitCode()).as(broker.err()).isZero();
        assertThat(metadata().resolve(CHECKPOINT)).doesNotExist();
    }

    @Test
    void whatKafkaRefusesIsRefusedWithItsOneLine() throws Exception {
        Path controller = config(1, "broker,controller", "");
        assertOneLineFailure(format(controller), "Because controller.quorum.voters is not set on this controller, you"
                + " must specify one of the following: --standalone, --initial-controllers, or"
                + " --no-initial-controllers.");
        assertOneLineFailure(format(config(7, "broker", ""), "--standalone"),
                "You can only use --standalone on a controller.");
        assertOneLineFailure(format(controller, "--standalone", "--no-initial-controllers"),
                "argument --standalone/-s: not allowed with argument --no-initial-controllers/-N");
        assertOneLineFailure(format(controller, "--no-initial-controllers", "--initial-controllers", "1@h:1:x"),
                "argument --initial-controllers/-I: not allowed with argument --no-initial-controllers/-N");
        Path staticQuorum = directory.resolve("static.properties");
        Files.writeString(staticQuorum, "node.id=1\nlisteners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:9093\n"
                + "controller.listener.names=CONTROLLER\ncontroller.quorum.voters=1@127.0.0.1:9093\nlog.dirs="
                + directory.resolve("logs") + "\n");
        assertOneLineFailure(format(staticQuorum, "--standalone"), "You cannot specify controller.quorum.voters and"
                + " format the node with --initial-controllers or --standalone. If you want to use dynamic quorum,"
                + " please remove controller.quorum.voters and specify controller.quorum.bootstrap.servers instead.");
        String directoryId = Base64Uuids.encode(UUID.randomUUID());
        assertOneLineFailure(format(controller, "--initial-controllers", "1-127.0.0.1:9093:" + directoryId),
                "No @ found in dynamic voter string.");
        assertOneLineFailure(format(controller, "--initial-controllers", "1@127.0.0.1:9093"),
                "No colon following port could be found.");
        assertOneLineFailure(format(controller, "--initial-controllers", "1@127.0.0.1:9093:not-an-id"),
                "Failed to parse directory ID in dynamic voter string.");
        assertOneLineFailure(format(controller, "--initial-controllers", "x@127.0.0.1:9093:" + directoryId),
                "Failed to parse node id in dynamic voter string.");
        assertOneLineFailure(format(controller, "--initial-controllers", "2@127.0.0.1:9094:" + directoryId),
                "The controller's node id 1 is not in --initial-controllers.");
        assertThat(metadata()).doesNotExist(); // nothing was formatted
    }
}
