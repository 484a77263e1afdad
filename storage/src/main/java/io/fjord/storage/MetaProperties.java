package io.fjord.storage;

import io.fjord.storage.internal.OffsetCheckpointFile;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A data directory's identity, Kafka's {@code meta.properties} (version 1): {@code version=1}, {@code cluster.id},
 * {@code node.id} and {@code directory.id} (a {@link Base64Uuids} id). The one reader and writer of the file, for
 * the node's directories ({@code log.dirs}, {@code metadata.log.dir}: all four keys) and for the Raft tool's
 * directories, which carry only {@code version} and {@code directory.id} (KIP-853 names a voter by node id and
 * directory id, so a wiped directory is a different replica).
 *
 * <p>Immutable; thread-safe. Writers of one directory must not race (a node's directories are its own).
 *
 * @param clusterId   {@code cluster.id}; empty in a Raft tool's directory
 * @param nodeId      {@code node.id}; empty in a Raft tool's directory
 * @param directoryId {@code directory.id}; empty in files written before directory ids existed
 */
public record MetaProperties(Optional<String> clusterId, OptionalInt nodeId, Optional<UUID> directoryId) {
    public static final String FILE_NAME = "meta.properties";
    private static final String VERSION = "version";
    private static final String CLUSTER_ID = "cluster.id";
    private static final String NODE_ID = "node.id";
    private static final String DIRECTORY_ID = "directory.id";
    /** A few keys of a hundred bytes at most: anything this large is not a meta.properties. */
    private static final long MAX_FILE_BYTES = 64 * 1024;

    public MetaProperties {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(directoryId, "directoryId");
        if (clusterId.isPresent() && clusterId.get().isBlank()) {
            throw new IllegalArgumentException("cluster.id must not be blank");
        }
        if (nodeId.isPresent() && nodeId.getAsInt() < 0) {
            throw new IllegalArgumentException("node.id must not be negative: " + nodeId.getAsInt());
        }
    }

    /** A node's directory: every key. */
    public static MetaProperties of(String clusterId, int nodeId, UUID directoryId) {
        return new MetaProperties(Optional.of(clusterId), OptionalInt.of(nodeId), Optional.of(directoryId));
    }

    /** A Raft tool's directory: its directory id only. */
    public static MetaProperties ofDirectory(UUID directoryId) {
        return new MetaProperties(Optional.empty(), OptionalInt.empty(), Optional.of(directoryId));
    }

    /**
     * The file of {@code directory}; empty if there is none (the directory is not formatted).
     *
     * @throws IOException naming the file when it cannot be read or is not a version 1 meta.properties
     */
    public static Optional<MetaProperties> read(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        byte[] bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > MAX_FILE_BYTES) {
                throw new IOException(file + " holds " + size + " bytes, more than a meta.properties ever does ("
                        + MAX_FILE_BYTES + ")");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // reads until full or end of file
            }
            bytes = Arrays.copyOf(buffer.array(), buffer.position());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        properties.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        return Optional.of(parse(file, properties));
    }

    private static MetaProperties parse(Path file, Properties properties) throws IOException {
        String version = trimmed(properties, VERSION);
        if (!"1".equals(version)) {
            throw new IOException(file + " has " + (version == null ? "no version" : "version " + version)
                    + "; Fjord reads version 1 (cluster.id, node.id, directory.id)");
        }
        String clusterId = trimmed(properties, CLUSTER_ID);
        if (clusterId != null && clusterId.isEmpty()) {
            throw new IOException(file + " has an empty " + CLUSTER_ID);
        }
        OptionalInt nodeId = OptionalInt.empty();
        String nodeIdText = trimmed(properties, NODE_ID);
        if (nodeIdText != null) {
            try {
                nodeId = OptionalInt.of(Integer.parseInt(nodeIdText));
            } catch (NumberFormatException e) {
                throw new IOException(file + " has an invalid " + NODE_ID + ": " + nodeIdText);
            }
            if (nodeId.getAsInt() < 0) {
                throw new IOException(file + " has a negative " + NODE_ID + ": " + nodeIdText);
            }
        }
        Optional<UUID> directoryId = Optional.empty();
        String directoryIdText = trimmed(properties, DIRECTORY_ID);
        if (directoryIdText != null) {
            try {
                directoryId = Optional.of(Base64Uuids.decode(directoryIdText));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " has an invalid " + DIRECTORY_ID + ": " + e.getMessage(), e);
            }
        }
        return new MetaProperties(Optional.ofNullable(clusterId), nodeId, directoryId);
    }

    private static String trimmed(Properties properties, String key) {
        String value = properties.getProperty(key);
        return value == null ? null : value.trim();
    }

    /**
     * The directory id of a Raft data directory: read from its file, or, in a directory without one, a new random
     * id written into a new file ({@code version} and {@code directory.id} only).
     *
     * @param randomUuids the source of the new id (Kafka's reserved ids are skipped)
     * @throws IOException naming the file when it is unreadable, malformed or has no {@code directory.id}
     */
    public static UUID readOrCreateDirectoryId(Path directory, Supplier<UUID> randomUuids) throws IOException {
        Optional<MetaProperties> existing = read(directory);
        if (existing.isPresent()) {
            return existing.get().directoryId().orElseThrow(() ->
                    new IOException(directory.resolve(FILE_NAME) + " has no " + DIRECTORY_ID));
        }
        UUID created = Base64Uuids.random(randomUuids);
        ofDirectory(created).write(directory);
        return created;
    }

    /**
     * Writes the file into {@code directory} (created if missing), atomically and durably: a temporary file,
     * fsync'd, renamed over the file, then the directory fsync'd, so a crash leaves the old file or the new one.
     */
    public void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Properties properties = new Properties();
        properties.setProperty(VERSION, "1");
        clusterId.ifPresent(id -> properties.setProperty(CLUSTER_ID, id));
        nodeId.ifPresent(id -> properties.setProperty(NODE_ID, Integer.toString(id)));
        directoryId.ifPresent(id -> properties.setProperty(DIRECTORY_ID, Base64Uuids.encode(id)));
        StringWriter text = new StringWriter();
        properties.store(text, null);
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        OffsetCheckpointFile.fsyncDirectory(directory);
    }
}
