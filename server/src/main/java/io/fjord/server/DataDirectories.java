package io.fjord.server;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes sure a data directory ({@code log.dirs} entry or {@code metadata.log.dir}) exists and is writable before the
 * node formats or loads it, so that start-up fails with one line naming the directory and the cause rather than later
 * with a message that names neither. Stateless.
 */
final class DataDirectories {
    private static final String PROBE_PREFIX = ".fjord-write-check";

    private DataDirectories() {
    }

    /**
     * Creates {@code directory} if needed and checks that a file can be created in it (a real write, so that a
     * read-only file system and missing permissions both show).
     *
     * @param key the configuration that names the directory, for the message
     * @throws IllegalStateException with a one-line message naming the key, the directory and the cause
     */
    static void prepare(String key, Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalStateException(key + " entry " + directory + " is a file, not a directory");
        }
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("cannot create the " + key + " directory " + directory + ": "
                    + e.getFile() + " is a file, not a directory", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the " + key + " directory " + directory + ": "
                    + IoErrors.reason(e), e);
        }
        try {
            Files.delete(Files.createTempFile(directory, PROBE_PREFIX, ".tmp"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write in the " + key + " directory " + directory + ": "
                    + IoErrors.reason(e), e);
        }
    }
}
