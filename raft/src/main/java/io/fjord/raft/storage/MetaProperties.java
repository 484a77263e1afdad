package io.fjord.raft.storage;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Properties;
import java.util.UUID;

/**
 * The log directory's identity, in Kafka's {@code meta.properties} ({@code version=1}, {@code directory.id} as
 * Kafka's URL-safe base64 UUID): created once with a random id, then read back on every start. KIP-853 names a voter
 * by node id and directory id, so a wiped directory is a different replica.
 *
 * <p>Stateless; thread-safe.
 */
final class MetaProperties {
    static final String FILE_NAME = "meta.properties";
    private static final String DIRECTORY_ID = "directory.id";

    private MetaProperties() {
    }

    static UUID readOrCreateDirectoryId(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve(FILE_NAME);
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            String encoded = properties.getProperty(DIRECTORY_ID);
            if (encoded == null) {
                throw new IOException(file + " has no " + DIRECTORY_ID);
            }
            try {
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getUrlDecoder().decode(encoded));
                return new UUID(bytes.getLong(), bytes.getLong());
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                throw new IOException(file + " holds an invalid " + DIRECTORY_ID + ": " + encoded, e);
            }
        }
        UUID id = UUID.randomUUID();
        properties.setProperty("version", "1");
        properties.setProperty(DIRECTORY_ID, Base64.getUrlEncoder().withoutPadding().encodeToString(
                ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                        .array()));
        Path temporary = dataDirectory.resolve(FILE_NAME + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(writer, null);
        }
        try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        QuorumStateFile.forceDirectory(dataDirectory);
        return id;
    }
}
