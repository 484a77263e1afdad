package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaPropertiesTest {
    private static final UUID DIRECTORY_ID = UUID.fromString("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");

    @TempDir
    Path directory;

    private Path file() {
        return directory.resolve(MetaProperties.FILE_NAME);
    }

    private Properties written() throws IOException {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file())) {
            properties.load(reader);
        }
        return properties;
    }

    @Test
    void aNodesFileHasKafkasFourKeysAndReadsBack() throws Exception {
        MetaProperties identity = MetaProperties.of("S1ko1WYJQiGxQO_oasZ_qg", 3, DIRECTORY_ID);
        identity.write(directory);

        Properties properties = written();
        assertThat(properties.stringPropertyNames()).containsExactlyInAnyOrder("version", "cluster.id", "node.id",
                "directory.id");
        assertThat(properties.getProperty("version")).isEqualTo("1");
        assertThat(properties.getProperty("cluster.id")).isEqualTo("S1ko1WYJQiGxQO_oasZ_qg");
        assertThat(properties.getProperty("node.id")).isEqualTo("3");
        assertThat(properties.getProperty("directory.id")).isEqualTo(Base64Uuids.encode(DIRECTORY_ID)).hasSize(22);
        assertThat(MetaProperties.read(directory)).contains(identity);
        assertThat(directory.resolve(MetaProperties.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void readsTheFilesTheServerWroteBeforeAndKafkaWrites() throws Exception {
        // The server's former layout (Properties.store with its date comment); Kafka's is the same keys.
        Files.writeString(file(), "#\n#Sat Dec 05 17:21:06 UTC 2026\nnode.id=1\nversion=1\n"
                + "directory.id=PVP48-L1TtCTJ6tTOuK3uA\ncluster.id=j8xlT-kGTom22UlSGqzpBg\n");
        assertThat(MetaProperties.read(directory)).contains(MetaProperties.of("j8xlT-kGTom22UlSGqzpBg", 1,
                Base64Uuids.decode("PVP48-L1TtCTJ6tTOuK3uA")));
        // Before directory ids existed (Kafka before 3.7): no directory.id.
        Files.writeString(file(), "version=1\ncluster.id=j8xlT-kGTom22UlSGqzpBg\nnode.id=1\n");
        assertThat(MetaProperties.read(directory)).contains(new MetaProperties(Optional.of("j8xlT-kGTom22UlSGqzpBg"),
                OptionalInt.of(1), Optional.empty()));
    }

    @Test
    void readsTheRaftToolsFilesWithOnlyADirectoryId() throws Exception {
        Files.writeString(file(), "#\n#Sat Dec 05 17:21:06 UTC 2026\nversion=1\ndirectory.id="
                + Base64Uuids.encode(DIRECTORY_ID) + "\n");
        assertThat(MetaProperties.read(directory)).contains(MetaProperties.ofDirectory(DIRECTORY_ID));
        assertThat(MetaProperties.readOrCreateDirectoryId(directory, () -> {
            throw new AssertionError("an existing id is read, not drawn");
        })).isEqualTo(DIRECTORY_ID);
    }

    @Test
    void aRaftDirectoryWithoutTheFileGetsAFileWithANewDirectoryIdOnly() throws Exception {
        Path raftDirectory = directory.resolve("node-1");
        ArrayDeque<UUID> draws = new ArrayDeque<>(List.of(new UUID(0, 0), DIRECTORY_ID));
        assertThat(MetaProperties.readOrCreateDirectoryId(raftDirectory, draws::removeFirst)).isEqualTo(DIRECTORY_ID);

        assertThat(MetaProperties.read(raftDirectory)).contains(MetaProperties.ofDirectory(DIRECTORY_ID));
        assertThat(MetaProperties.readOrCreateDirectoryId(raftDirectory, UUID::randomUUID)).isEqualTo(DIRECTORY_ID);
    }

    @Test
    void anUnformattedDirectoryReadsAsEmpty() throws Exception {
        assertThat(MetaProperties.read(directory)).isEmpty();
        assertThat(MetaProperties.read(directory.resolve("missing"))).isEmpty();
    }

    @Test
    void aMalformedFileIsAnErrorNamingTheFile() throws Exception {
        assertMalformed("cluster.id=x\nnode.id=1\n", "no version");
        assertMalformed("version=0\nbroker.id=1\ncluster.id=x\n", "version 0");
        assertMalformed("version=1\ncluster.id=x\nnode.id=one\n", "invalid node.id: one");
        assertMalformed("version=1\ncluster.id=x\nnode.id=-2\n", "negative node.id");
        assertMalformed("version=1\ncluster.id=\nnode.id=1\n", "empty cluster.id");
        assertMalformed("version=1\ndirectory.id=short\n", "invalid directory.id");
        Files.write(file(), new byte[70 * 1024]);
        assertThatThrownBy(() -> MetaProperties.read(directory)).isInstanceOf(IOException.class)
                .hasMessageContaining(file().toString()).hasMessageContaining("71680 bytes");
    }

    @Test
    void aFileWithoutDirectoryIdCannotGiveTheRaftStorageOne() throws Exception {
        Files.writeString(file(), "version=1\ncluster.id=j8xlT-kGTom22UlSGqzpBg\nnode.id=1\n");
        assertThatThrownBy(() -> MetaProperties.readOrCreateDirectoryId(directory, UUID::randomUUID))
                .isInstanceOf(IOException.class).hasMessage(file() + " has no directory.id");
    }

    @Test
    void aRewriteReplacesTheFileWholeAndALeftoverTemporaryFileDoesNotMatter() throws Exception {
        Files.writeString(directory.resolve(MetaProperties.FILE_NAME + ".tmp"), "garbage from a crash, longer than "
                + "the file that will replace it ".repeat(20));
        MetaProperties.of("S1ko1WYJQiGxQO_oasZ_qg", 1, DIRECTORY_ID).write(directory);
        MetaProperties.ofDirectory(DIRECTORY_ID).write(directory);

        assertThat(written().stringPropertyNames()).containsExactlyInAnyOrder("version", "directory.id");
        assertThat(MetaProperties.read(directory)).contains(MetaProperties.ofDirectory(DIRECTORY_ID));
    }

    private void assertMalformed(String content, String reason) throws IOException {
        Files.writeString(file(), content);
        assertThatThrownBy(() -> MetaProperties.read(directory)).isInstanceOf(IOException.class)
                .hasMessageContaining(file().toString()).hasMessageContaining(reason);
    }
}
