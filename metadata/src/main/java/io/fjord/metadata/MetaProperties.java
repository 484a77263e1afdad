package io.fjord.metadata;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * The identity file every data directory carries, Kafka's {@code meta.properties}: {@code version=1},
 * {@code cluster.id}, {@code node.id} and {@code directory.id}. A directory is formatted once; a node refuses to start
 * on directories whose cluster or node id disagree with each other or with its configuration. Immutable.
 */
public record MetaProperties(String clusterId, int nodeId, String directoryId) {
    public static final String FILE_NAME = "meta.properties";

    /** A new random cluster id in Kafka's form: a UUID as 22 characters of URL-safe base64. */
    public static String randomClusterId() {
        return base64(UUID.randomUUID());
    }

    private static String base64(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** Reads the file of {@code directory}; empty if the directory is not formatted. */
    public static Optional<MetaProperties> read(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String version = properties.getProperty("version");
        String clusterId = properties.getProperty("cluster.id");
        String nodeId = properties.getProperty("node.id");
        if (!"1".equals(version) || clusterId == null || nodeId == null) {
            throw new IOException(file + " is not a version 1 meta.properties with cluster.id and node.id");
        }
        try {
            return Optional.of(new MetaProperties(clusterId, Integer.parseInt(nodeId.trim()),
                    properties.getProperty("directory.id")));
        } catch (NumberFormatException e) {
            throw new IOException(file + " has an invalid node.id: " + nodeId);
        }
    }

    /** Writes the file into {@code directory} atomically and durably. */
    public void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Properties properties = new Properties();
        properties.setProperty("version", "1");
        properties.setProperty("cluster.id", clusterId);
        properties.setProperty("node.id", Integer.toString(nodeId));
        if (directoryId != null) {
            properties.setProperty("directory.id", directoryId);
        }
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(writer, null);
        }
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The same identity for another directory, with a fresh directory id. */
    public MetaProperties forNewDirectory() {
        return new MetaProperties(clusterId, nodeId, base64(UUID.randomUUID()));
    }
}
