package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.storage.Base64Uuids;
import io.fjord.storage.MetaProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code fjord format} and {@code fjord random-uuid}, and how {@code fjord start} treats what format wrote. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FormatCommandTest {
    private static final String CLUSTER_ID = "S1ko1WYJQiGxQO_oasZ_qg";
    private static final String OTHER_CLUSTER_ID = "j8xlT-kGTom22UlSGqzpBg";

    @TempDir
    Path directory;

    private Path first() {
        return directory.resolve("logs-1");
    }

    private Path second() {
        return directory.resolve("logs-2");
    }

    private Path metadata() {
        return directory.resolve("metadata");
    }

    /** A node with two log directories and its metadata in a third, on an ephemeral port. */
    private Path config(int nodeId) throws Exception {
        Path file = directory.resolve("server-" + nodeId + ".properties");
        Files.writeString(file, "node.id=" + nodeId + "\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + first() + ","
                + second() + "\nmetadata.log.dir=" + metadata() + "\n");
        return file;
    }

    private CommandRun format(String clusterId, Path config, String... more) {
        List<String> arguments = new java.util.ArrayList<>(List.of("format", "--cluster-id", clusterId, "--config",
                config.toString()));
        arguments.addAll(List.of(more));
        return CommandRun.of(arguments.toArray(String[]::new));
    }

    private static MetaProperties identity(Path directory) throws Exception {
        return MetaProperties.read(directory).orElseThrow();
    }

    private static void assertOneLineFailure(CommandRun run, String... expected) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).startsWith("fjord: ").contains(expected).doesNotContain("Exception", "\tat ");
    }

    @Test
    void randomUuidPrintsANewClusterIdInKafkasForm() {
        CommandRun first = CommandRun.of("random-uuid");
        CommandRun second = CommandRun.of("random-uuid");
        assertThat(first.exitCode()).isZero();
        assertThat(first.err()).isEmpty();
        String id = first.out().strip();
        assertThat(first.out()).isEqualTo(id + System.lineSeparator());
        assertThat(id).hasSize(22).matches("[A-Za-z0-9_]+");
        assertThat(Base64Uuids.decode(id)).isNotEqualTo(new UUID(0, 0)).isNotEqualTo(new UUID(0, 1));
        assertThat(second.out().strip()).isNotEqualTo(id);
    }

    @Test
    void formatWritesTheClusterNodeAndAFreshDirectoryIdIntoEveryDirectory() throws Exception {
        CommandRun run = format(CLUSTER_ID, config(4));

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out().lines()).containsExactly(
                "Formatting data directory " + first() + " for cluster " + CLUSTER_ID + " as node 4 (directory.id "
                        + Base64Uuids.encode(identity(first()).directoryId().orElseThrow()) + ").",
                "Formatting data directory " + second() + " for cluster " + CLUSTER_ID + " as node 4 (directory.id "
                        + Base64Uuids.encode(identity(second()).directoryId().orElseThrow()) + ").",
                "Formatting metadata directory " + metadata() + " for cluster " + CLUSTER_ID
                        + " as node 4 (directory.id "
                        + Base64Uuids.encode(identity(metadata()).directoryId().orElseThrow()) + ").");
        for (Path formatted : List.of(first(), second(), metadata())) {
            assertThat(identity(formatted).clusterId()).contains(CLUSTER_ID);
            assertThat(identity(formatted).nodeId()).hasValue(4);
        }
        assertThat(List.of(identity(first()).directoryId(), identity(second()).directoryId(),
                identity(metadata()).directoryId())).doesNotHaveDuplicates();
    }

    @Test
    void theMetadataDirectoryIsTheFirstLogDirectoryWithoutMetadataLogDir() throws Exception {
        Path file = Files.writeString(directory.resolve("server.properties"), "log.dirs=" + first() + "\n");
        CommandRun run = format(CLUSTER_ID, file);
        assertThat(run.out()).startsWith("Formatting metadata directory " + first() + " for cluster " + CLUSTER_ID
                + " as node 1 ");
        assertThat(identity(first()).nodeId()).hasValue(1);
    }

    @Test
    void anInvalidClusterIdIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertOneLineFailure(format("invalid", config(1)),
                "Cluster ID string invalid does not appear to be a valid UUID", "expected 16 bytes");
        assertOneLineFailure(format("not+url+safe+base64+x", config(1)), "not+url+safe+base64+x");
        assertThat(first()).doesNotExist();
        assertThat(metadata()).doesNotExist();
    }

    @Test
    void aFormattedDirectoryIsRefusedWithOneLineNamingIt() throws Exception {
        assertThat(format(CLUSTER_ID, config(1)).exitCode()).isZero();
        String before = Files.readString(first().resolve(MetaProperties.FILE_NAME));

        assertOneLineFailure(format(CLUSTER_ID, config(1)), "Log directory " + first() + " is already formatted",
                "--ignore-formatted");
        assertThat(first().resolve(MetaProperties.FILE_NAME)).hasContent(before);
    }

    @Test
    void ignoreFormattedFormatsOnlyTheOthersAndSaysWhenAllAreFormatted() throws Exception {
        Path onlyFirst = Files.writeString(directory.resolve("first.properties"), "log.dirs=" + first() + "\n");
        assertThat(format(CLUSTER_ID, onlyFirst).exitCode()).isZero();
        MetaProperties firstBefore = identity(first());

        CommandRun run = format(CLUSTER_ID, config(1), "--ignore-formatted");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).doesNotContain(first().toString() + " ").contains(second().toString(),
                metadata().toString());
        assertThat(identity(first())).isEqualTo(firstBefore);
        assertThat(identity(second()).clusterId()).contains(CLUSTER_ID);
        assertThat(identity(metadata()).clusterId()).contains(CLUSTER_ID);

        CommandRun again = format(CLUSTER_ID, config(1), "-g");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).isEqualTo("All of the log directories are already formatted."
                + System.lineSeparator());
    }

    @Test
    void ignoreFormattedStillRefusesADirectoryOfAnotherClusterOrNode() throws Exception {
        Path onlyFirst = Files.writeString(directory.resolve("first.properties"), "log.dirs=" + first() + "\n");
        assertThat(format(OTHER_CLUSTER_ID, onlyFirst).exitCode()).isZero();
        assertOneLineFailure(format(CLUSTER_ID, config(1), "--ignore-formatted"),
                "cluster.id " + OTHER_CLUSTER_ID + " in " + first().resolve(MetaProperties.FILE_NAME));
        assertThat(second()).isDirectory();
        assertThat(MetaProperties.read(second())).as("nothing formatted").isEmpty();

        assertOneLineFailure(format(OTHER_CLUSTER_ID, config(2), "--ignore-formatted"),
                "node.id 2 does not match node.id 1 in " + first().resolve(MetaProperties.FILE_NAME));
    }

    @Test
    void aBadConfigurationIsOneLineNamingTheKeyOrTheFile() throws Exception {
        Path bad = Files.writeString(directory.resolve("bad.properties"), "num.partitions=abc\nlog.dirs=" + first());
        assertOneLineFailure(format(CLUSTER_ID, bad), "num.partitions", "abc");
        Path missing = directory.resolve("missing.properties");
        assertOneLineFailure(format(CLUSTER_ID, missing), "configuration file " + missing, "no such file");
        Path aFile = Files.writeString(directory.resolve("a-file"), "x");
        Path onAFile = Files.writeString(directory.resolve("on-a-file.properties"), "log.dirs=" + aFile);
        assertOneLineFailure(format(CLUSTER_ID, onAFile), "log.dirs", aFile.toString(), "is a file");
    }

    @Test
    void theClusterIdAndConfigAreRequired() {
        CommandRun run = CommandRun.of("format", "--cluster-id", CLUSTER_ID);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--config");
        assertThat(CommandRun.of("format", "--config", "x.properties").err()).contains("--cluster-id");
    }

    @Test
    void aNodeStartsOnTheDirectoriesFormatWroteWithItsClusterId() throws Exception {
        Path file = config(3);
        assertThat(format(CLUSTER_ID, file).exitCode()).isZero();
        Map<Path, String> formatted = new java.util.HashMap<>();
        for (Path each : List.of(first(), second(), metadata())) {
            formatted.put(each, Files.readString(each.resolve(MetaProperties.FILE_NAME)));
        }
        NodeConfig config = NodeConfig.fromProperties(ServerProperties.read(file));
        try (FjordNode node = new FjordNode(config, InstantSource.system())) {
            node.start();
            assertThat(node.metadataCache().clusterId()).isEqualTo(CLUSTER_ID);
        }
        formatted.forEach((each, content) -> assertThat(each.resolve(MetaProperties.FILE_NAME)).hasContent(content));
    }

    @Test
    void startRefusesDirectoriesOfAnotherNodeWithOneLineNamingTheFile() throws Exception {
        assertThat(format(CLUSTER_ID, config(1)).exitCode()).isZero();
        assertOneLineFailure(CommandRun.of("start", "--config", config(2).toString()),
                "node.id 2 does not match node.id 1 in " + first().resolve(MetaProperties.FILE_NAME));
    }

    @Test
    void startRefusesDirectoriesOfTwoClustersWithOneLineNamingTheFile() throws Exception {
        assertThat(format(CLUSTER_ID, config(1)).exitCode()).isZero();
        MetaProperties.of(OTHER_CLUSTER_ID, 1, UUID.randomUUID()).write(metadata());
        assertOneLineFailure(CommandRun.of("start", "--config", config(1).toString()),
                "cluster.id " + OTHER_CLUSTER_ID + " in " + metadata().resolve(MetaProperties.FILE_NAME),
                "does not match cluster.id " + CLUSTER_ID);
    }

    @Test
    void startRefusesARaftToolsDirectoryWithOneLineNamingTheFile() throws Exception {
        MetaProperties.ofDirectory(UUID.randomUUID()).write(first());
        assertOneLineFailure(CommandRun.of("start", "--config", config(1).toString()),
                first().resolve(MetaProperties.FILE_NAME) + " has no cluster.id or node.id");
        assertThat(MetaProperties.read(second())).isEqualTo(Optional.empty());
    }
}
