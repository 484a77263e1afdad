package io.fjord.storage.internal;

import io.fjord.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's {@code leader-epoch-checkpoint} in Kafka's text format: a version line ({@code 0}), a count line, then
 * one {@code <epoch> <startOffset>} line per entry, oldest first. Written atomically ({@link CheckpointFiles}).
 *
 * <p>Not thread-safe: its owner ({@link PartitionLeaderEpochs}) serializes reads and writes.
 */
public final class LeaderEpochCheckpointFile {
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCheckpointFile.class);
    private static final int VERSION = 0;
    /** Bound on the lines read, so a damaged file cannot make the reader allocate without limit. */
    private static final long FILE_BYTES_MAX = 64L * 1024 * 1024;

    private final Path file;

    public LeaderEpochCheckpointFile(Path partitionDirectory) {
        this.file = partitionDirectory.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    public void write(List<EpochEntry> entries) {
        write(entries, true);
    }

    /** Writes the entries atomically, fsync'd only with {@code sync} ({@link #force} later makes them durable). */
    public void write(List<EpochEntry> entries, boolean sync) {
        List<String> lines = new ArrayList<>(entries.size() + 2);
        lines.add(Integer.toString(VERSION));
        lines.add(Integer.toString(entries.size()));
        for (EpochEntry entry : entries) {
            lines.add(entry.epoch() + " " + entry.startOffset());
        }
        CheckpointFiles.writeAtomically(file, lines, sync);
    }

    /** Makes the last write durable (the file and its rename); false when the file is gone. */
    public boolean force() {
        return CheckpointFiles.force(file);
    }

    /**
     * The entries in the file, or empty when it is missing or malformed (bad header or count, a line that is not two
     * non-negative numbers, entries not strictly increasing in epoch and start offset); a malformed file is logged.
     */
    public Optional<List<EpochEntry>> read() {
        List<String> lines;
        try {
            if (Files.size(file) > FILE_BYTES_MAX) {
                LOG.warn("Ignoring {}: larger than {} bytes", file, FILE_BYTES_MAX);
                return Optional.empty();
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read " + file, e);
        }
        try {
            return Optional.of(parse(lines));
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring malformed leader-epoch checkpoint {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static List<EpochEntry> parse(List<String> lines) {
        if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
            throw new IllegalArgumentException("bad header");
        }
        int count = Integer.parseInt(lines.get(1).trim());
        if (count != lines.size() - 2) {
            throw new IllegalArgumentException("expected " + count + " entries, found " + (lines.size() - 2));
        }
        List<EpochEntry> entries = new ArrayList<>(count);
        for (String line : lines.subList(2, lines.size())) {
            String[] fields = line.trim().split(" ");
            if (fields.length != 2) {
                throw new IllegalArgumentException("bad line '" + line + "'");
            }
            EpochEntry entry = new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
            if (!entries.isEmpty()) {
                EpochEntry previous = entries.get(entries.size() - 1);
                if (entry.epoch() <= previous.epoch() || entry.startOffset() <= previous.startOffset()) {
                    throw new IllegalArgumentException("entry " + entry + " does not follow " + previous);
                }
            }
            entries.add(entry);
        }
        return entries;
    }
}
