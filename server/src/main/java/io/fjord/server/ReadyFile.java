package io.fjord.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's ready file ({@code fjord start --ready-file}): present exactly while the node has finished starting and
 * has not begun to stop. It appears whole (written aside, then moved into place), so a reader never sees half of it.
 * A failure to write or delete it is logged, never fatal: the node serves either way.
 *
 * <p>Stateless; thread-safe.
 */
final class ReadyFile {
    private static final Logger LOG = LoggerFactory.getLogger(ReadyFile.class);

    private ReadyFile() {
    }

    /** Creates {@code file} (nothing when null). */
    static void announce(Path file) {
        if (file == null) {
            return;
        }
        Path aside = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(aside, "ready" + System.lineSeparator(), StandardCharsets.UTF_8);
            Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Cannot write the ready file {}: {}", file, e.toString());
        }
    }

    /** Deletes {@code file} (nothing when null or absent). */
    static void withdraw(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete the ready file {}: {}", file, e.toString());
        }
    }
}
