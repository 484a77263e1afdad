package io.fjord.storage.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Names of a segment's files: {@code <20-digit base offset>.log|.index|.timeindex}, plus the suffixes that mark
 * files being cleaned, swapped in, or deleted. Stateless and thread-safe.
 */
public final class SegmentFiles {
    public static final String LOG_SUFFIX = ".log";
    public static final String OFFSET_INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    /** A cleaner's output before it is complete; removed on recovery. */
    public static final String CLEANED_SUFFIX = ".cleaned";
    /** A complete cleaner output that replaces older segments; finished on recovery. */
    public static final String SWAP_SUFFIX = ".swap";
    /** A file waiting for its delayed deletion; removed on recovery. */
    public static final String DELETED_SUFFIX = ".deleted";

    private SegmentFiles() {
    }

    public static String baseName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    public static Path log(Path directory, long baseOffset) {
        return directory.resolve(baseName(baseOffset) + LOG_SUFFIX);
    }

    public static Path offsetIndex(Path directory, long baseOffset) {
        return directory.resolve(baseName(baseOffset) + OFFSET_INDEX_SUFFIX);
    }

    public static Path timeIndex(Path directory, long baseOffset) {
        return directory.resolve(baseName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /** The base offset in a file name such as {@code 00000000000000000042.log.swap}, or -1. */
    public static long baseOffsetOf(String fileName) {
        int dot = fileName.indexOf('.');
        if (dot != 20) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static Path withSuffix(Path file, String oldSuffix, String newSuffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(oldSuffix)) {
            throw new IllegalArgumentException(file + " does not end with '" + oldSuffix + "'");
        }
        return file.resolveSibling(name.substring(0, name.length() - oldSuffix.length()) + newSuffix);
    }

    public static Path renameWithSuffix(Path file, String suffix) {
        if (suffix.isEmpty()) {
            return file;
        }
        Path target = file.resolveSibling(file.getFileName() + suffix);
        try {
            if (Files.exists(file)) {
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + file + " to " + target, e);
        }
        return target;
    }
}
