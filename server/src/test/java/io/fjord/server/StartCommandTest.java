package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A start that is not refused runs until stopped: the timeout turns that into a failure rather than a hang. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartCommandTest {
    @TempDir
    Path directory;

    private String startFailure(String properties) throws Exception {
        Path file = directory.resolve("server.properties");
        Files.writeString(file, properties + "\nlog.dirs=" + directory.resolve("data") + "\n");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(FjordCli.run("start", "--config", file.toString())).isEqualTo(1);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anInvalidValueStopsStartUpWithOneLineNamingTheKey() throws Exception {
        String error = startFailure("num.partitions=abc");
        assertThat(error.lines()).hasSize(1);
        assertThat(error).startsWith("fjord: ").contains("num.partitions").contains("abc");
        assertThat(startFailure("listeners=nonsense")).contains("listeners");
        assertThat(startFailure("log.retention.ms=soon")).contains("log.retention.ms");
        assertThat(startFailure("replica.selector.class=com.example.NearestReplicaSelector").lines()).singleElement()
                .asString().contains("replica.selector.class").contains("com.example.NearestReplicaSelector");
        assertThat(startFailure("authorizer.class.name=kafka.security.authorizer.AclAuthorizer").lines())
                .singleElement().asString().contains("authorizer.class.name")
                .contains("kafka.security.authorizer.AclAuthorizer");
    }

    @Test
    void groupSettingsThatDoNotFitTogetherStopStartUpAsKafkasChecksDo() throws Exception {
        String error = startFailure("group.consumer.heartbeat.interval.ms=50000");
        assertThat(error.lines()).hasSize(1);
        assertThat(error).startsWith("fjord: ").contains("group.consumer.heartbeat.interval.ms")
                .contains("group.consumer.max.heartbeat.interval.ms");
        assertThat(startFailure("group.consumer.assignors=sticky")).contains("group.consumer.assignors");
        assertThat(startFailure("group.coordinator.rebalance.protocols=consumer"))
                .contains("group.coordinator.rebalance.protocols").contains("classic");
    }

    private CommandRun start(String propertiesWithLogDirs) throws Exception {
        Path file = directory.resolve("server.properties");
        Files.writeString(file, propertiesWithLogDirs);
        return CommandRun.of("start", "--config", file.toString());
    }

    private static void assertOneLineFailure(CommandRun run, String... expected) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).startsWith("fjord: ").contains(expected).doesNotContain("Exception", "\tat ");
    }

    @Test
    void aTlsListenerWithoutKeystoreOrASaslListenerWithoutMechanismsStopsStartUpWithOneLineNamingIt()
            throws Exception {
        assertOneLineFailure(start("listeners=SSL://127.0.0.1:0\nlog.dirs=" + directory.resolve("data")),
                "ssl.keystore.location", "SSL");
        assertOneLineFailure(start("listeners=SSL://127.0.0.1:0\nssl.keystore.location=" + directory.resolve("none.jks")
                + "\nssl.keystore.password=secret\nlog.dirs=" + directory.resolve("data")),
                "ssl.keystore.location", "no such file");
        // Kafka's default mechanism, GSSAPI, is one Fjord does not serve.
        assertOneLineFailure(start("listeners=SASL_SSL://127.0.0.1:0\nlog.dirs=" + directory.resolve("data")),
                "sasl.enabled.mechanisms", "GSSAPI", "SASL_SSL");
        assertOneLineFailure(start("listeners=PLAINTXT://127.0.0.1:0\nlog.dirs=" + directory.resolve("data")),
                "PLAINTXT://127.0.0.1:0");
        assertThat(directory.resolve("data")).doesNotExist(); // refused before anything was formatted
    }

    @Test
    void clusterSettingsANodeCannotHonourStopStartUpWithOneLineNamingTheKey() throws Exception {
        assertOneLineFailure(start("process.roles=broker\nlog.dirs=" + directory.resolve("data")),
                "controller.quorum.voters", "process.roles=broker");
        assertOneLineFailure(start("node.id=4\ncontroller.quorum.voters=1@a:9093,2@b:9093,3@c:9093\nlog.dirs="
                + directory.resolve("data") + "\nlisteners=PLAINTEXT://:0,CONTROLLER://:0\n"
                + "controller.listener.names=CONTROLLER"), "controller.quorum.voters", "node id 4");
        // A dynamic quorum (KIP-853) of several controllers: this controller needs its controller listener.
        assertOneLineFailure(start("controller.quorum.bootstrap.servers=a:9093,b:9093\nlog.dirs="
                + directory.resolve("data")), "controller.listener.names", "must not be empty");
        assertOneLineFailure(start("controller.quorum.bootstrap.servers=a:9093,b\nlog.dirs="
                + directory.resolve("data")), "controller.quorum.bootstrap.servers", "entry 'b'");
        assertThat(directory.resolve("data")).doesNotExist();
        // A valid node of a dynamic quorum on unformatted directories: it is formatted first, as in Kafka.
        assertOneLineFailure(start("node.id=1\ncontroller.quorum.bootstrap.servers=127.0.0.1:1\nlog.dirs="
                + directory.resolve("data") + "\nlisteners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0\n"
                + "controller.listener.names=CONTROLLER"), "fjord format --cluster-id");
        // A valid cluster node on unformatted directories: it would make up a cluster id of its own.
        assertOneLineFailure(start("node.id=1\ncontroller.quorum.voters=1@127.0.0.1:1,2@127.0.0.1:2\nlog.dirs="
                + directory.resolve("data") + "\nlisteners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0\n"
                + "controller.listener.names=CONTROLLER"), "fjord format --cluster-id");
    }

    @Test
    void aPortInUseStopsStartUpWithOneLineNamingTheAddressAndReleasesEverything() throws Exception {
        Path data = directory.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String listener = "PLAINTEXT://127.0.0.1:" + taken.getLocalPort();
            assertOneLineFailure(start("listeners=" + listener + "\nlog.dirs=" + data),
                    "cannot bind listener " + listener, "127.0.0.1:" + taken.getLocalPort(), "in use");
        }
        // The failed start let go of the data directory: a node starts on it at once.
        NodeConfig config = NodeConfig.fromProperties(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", data.toString()));
        try (FjordNode node = new FjordNode(config, InstantSource.system())) {
            node.start();
            assertThat(node.boundAddress("PLAINTEXT").getPort()).isPositive();
        }
    }

    @Test
    void aLogDirectoryThatIsAFileStopsStartUpWithOneLineNamingIt() throws Exception {
        Path file = Files.writeString(directory.resolve("not-a-directory"), "x");
        assertOneLineFailure(start("listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + file),
                "log.dirs", file.toString(), "is a file");
        assertOneLineFailure(start("listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + file.resolve("below")),
                "log.dirs", file.resolve("below").toString());
        assertOneLineFailure(start("listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + directory.resolve("data")
                + "\nmetadata.log.dir=" + file), "metadata.log.dir", file.toString());
    }

    @Test
    void anUnwritableLogDirectoryStopsStartUpWithOneLineNamingIt() throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            // Root writes through permissions; sysfs refuses new files even to root (CI runs as root).
            Path refusing = Path.of("/sys/kernel");
            assertOneLineFailure(start("listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + refusing),
                    "log.dirs", refusing.toString(), "permission denied");
            return;
        }
        Path locked = Files.createDirectory(directory.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertOneLineFailure(start("listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + locked),
                    "log.dirs", locked.toString(), "permission denied");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aMissingConfigFileIsNamedWithItsCause() {
        Path missing = directory.resolve("missing.properties");
        CommandRun run = CommandRun.of("start", "--config", missing.toString());
        assertOneLineFailure(run, "configuration file " + missing, "no such file");
    }
}
