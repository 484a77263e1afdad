package io.fjord.storage.internal;

import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-directory file mapping partitions to an offset, in Kafka's text format: a version line ({@code 0}), a count
 * line, then {@code <topic> <partition> <offset>} lines. Used for recovery points, log start offsets and cleaner
 * positions. Writes are atomic: a temporary file is written and fsync'd, renamed over the old one, and the directory
 * fsync'd, so a crash leaves either the old or the new file.
 *
 * <p>Thread-safe: writes and reads are serialized on this object.
 */
public final class OffsetCheckpointFile {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCheckpointFile.class);
    private static final int VERSION = 0;

    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized void write(Map<TopicPartition, Long> offsets) {
        List<String> lines = new ArrayList<>(offsets.size() + 2);
        lines.add(Integer.toString(VERSION));
        lines.add(Integer.toString(offsets.size()));
        for (Map.Entry<String, Long> entry : new TreeMap<>(sortedView(offsets)).entrySet()) {
            lines.add(entry.getKey() + " " + entry.getValue());
        }
        CheckpointFiles.writeAtomically(file, lines);
    }

    private static Map<String, Long> sortedView(Map<TopicPartition, Long> offsets) {
        Map<String, Long> view = new HashMap<>();
        offsets.forEach((partition, offset) -> view.put(partition.topic() + " " + partition.partition(), offset));
        return view;
    }

    /** The offsets in the file; empty if it does not exist. A malformed file is reported and read as empty. */
    public synchronized Map<TopicPartition, Long> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new StorageException("cannot read checkpoint " + file, e);
        }
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                throw new IllegalArgumentException("bad header");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (count != lines.size() - 2) {
                throw new IllegalArgumentException("expected " + count + " entries, found " + (lines.size() - 2));
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (String line : lines.subList(2, lines.size())) {
                String[] fields = line.trim().split(" ");
                if (fields.length != 3) {
                    throw new IllegalArgumentException("bad line '" + line + "'");
                }
                offsets.put(new TopicPartition(fields[0], Integer.parseInt(fields[1])), Long.parseLong(fields[2]));
            }
            return offsets;
        } catch (IllegalArgumentException e) {
            LOG.error("Ignoring malformed checkpoint file {}: {}", file, e.getMessage());
            return Map.of();
        }
    }

    /** Makes a rename or a new file in the directory durable. */
    public static void fsyncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories; the rename itself is still atomic there.
            LOG.debug("Cannot fsync directory {}: {}", directory, e.toString());
        }
    }
}
