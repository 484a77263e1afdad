package io.fjord.storage.internal;

import io.fjord.storage.StorageException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes Kafka's small text checkpoint files atomically: the lines go to {@code <name>.tmp}, which is fsync'd and
 * renamed over the file, and the directory is fsync'd, so a crash leaves either the old or the new file.
 * {@link #writeAtomically(Path, List, boolean)} without the syncs leaves the file as durable as the page cache: a
 * process crash keeps it, an operating-system crash may leave the old file, an empty one or none, until
 * {@link #force} makes it durable.
 *
 * <p>Stateless and thread-safe; callers serialize writes of one file.
 */
public final class CheckpointFiles {
    private CheckpointFiles() {
    }

    public static void writeAtomically(Path file, List<String> lines) {
        writeAtomically(file, lines, true);
    }

    /** As {@link #writeAtomically(Path, List)}; with {@code sync} false neither the file nor the directory is fsync'd. */
    public static void writeAtomically(Path file, List<String> lines, boolean sync) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(
                         Channels.newOutputStream(channel), StandardCharsets.UTF_8))) {
                for (String line : lines) {
                    writer.write(line);
                    writer.newLine();
                }
                writer.flush();
                if (sync) {
                    channel.force(true);
                }
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (sync) {
                OffsetCheckpointFile.fsyncDirectory(file.getParent());
            }
        } catch (IOException e) {
            throw new StorageException("cannot write checkpoint " + file, e);
        }
    }

    /**
     * Makes a file written without syncs durable: fsyncs it, then its directory (which holds its rename). Returns
     * false, doing nothing, when the file is gone (its directory was deleted meanwhile).
     */
    public static boolean force(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new StorageException("cannot fsync checkpoint " + file, e);
        }
        OffsetCheckpointFile.fsyncDirectory(file.getParent());
        return true;
    }
}
