package io.fjord.storage.internal;

import io.fjord.storage.StorageException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes Kafka's small text checkpoint files atomically: the lines go to {@code <name>.tmp}, which is fsync'd and
 * renamed over the file, and the directory is fsync'd, so a crash leaves either the old or the new file.
 *
 * <p>Stateless and thread-safe; callers serialize writes of one file.
 */
public final class CheckpointFiles {
    private CheckpointFiles() {
    }

    public static void writeAtomically(Path file, List<String> lines) {
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
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            OffsetCheckpointFile.fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot write checkpoint " + file, e);
        }
    }
}
