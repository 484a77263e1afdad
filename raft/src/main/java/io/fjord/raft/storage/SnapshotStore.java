package io.fjord.raft.storage;

import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.SnapshotReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Raft snapshots in the log directory, named as Kafka's: {@code <20-digit end offset>-<10-digit epoch>.checkpoint}.
 * A snapshot is written to {@code <name>.checkpoint.part}, fsync'd, renamed to its name and the directory fsync'd,
 * so a complete name always holds complete bytes; then older snapshots are deleted (only the latest is kept).
 * The bytes are the core's: its voter set ({@code VoterSet.encode()}) then the state machine's bytes — not Kafka's
 * record batches with SnapshotHeader and SnapshotFooter (the core reads the voter set from a snapshot's first bytes,
 * and FetchSnapshot carries the file's bytes as they are).
 *
 * <p>Not thread-safe: the driver's thread owns it (the core reads through {@link SnapshotReader} on that thread).
 */
public final class SnapshotStore implements SnapshotReader {
    static final String SUFFIX = ".checkpoint";
    static final String PARTIAL_SUFFIX = ".checkpoint.part";
    private static final Pattern NAME = Pattern.compile("(\\d{20})-(\\d{10})\\.checkpoint(\\.part)?");

    private final Path directory;
    private OffsetAndEpoch latest;
    private OffsetAndEpoch partialId;
    private FileChannel partial;

    public SnapshotStore(Path directory) {
        this.directory = directory;
    }

    /** The file name of snapshot {@code id}, Kafka's. */
    public static String fileName(OffsetAndEpoch id) {
        return String.format("%020d-%010d%s", id.offset(), id.epoch(), SUFFIX);
    }

    /**
     * Finds the latest complete snapshot and deletes partial ones (a crash interrupted them) and older complete ones.
     * Returns the latest, or null.
     */
    public OffsetAndEpoch recover() throws IOException {
        Files.createDirectories(directory);
        List<Path> complete = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher matcher = NAME.matcher(file.getFileName().toString());
                if (!matcher.matches()) {
                    continue;
                }
                if (matcher.group(3) != null) {
                    Files.delete(file);
                    continue;
                }
                complete.add(file);
                OffsetAndEpoch id = new OffsetAndEpoch(Long.parseLong(matcher.group(1)),
                        Integer.parseInt(matcher.group(2)));
                if (latest == null || id.offset() > latest.offset()
                        || (id.offset() == latest.offset() && id.epoch() > latest.epoch())) {
                    latest = id;
                }
            }
        }
        deleteAllBut(latest);
        return latest;
    }

    /** The latest complete snapshot, null if none. */
    public OffsetAndEpoch latest() {
        return latest;
    }

    /** Writes a complete snapshot at once (one the state machine created), durably, and makes it the latest. */
    public void create(OffsetAndEpoch id, ByteBuffer bytes) throws IOException {
        Path part = partialPath(id);
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        complete(id);
    }

    /** Writes a fetched chunk at its position of the partial snapshot; a chunk at position 0 starts it afresh. */
    public void writeChunk(SnapshotChunk chunk) throws IOException {
        if (chunk.position() == 0 || !chunk.snapshotId().equals(partialId)) {
            closePartial(true);
            partialId = chunk.snapshotId();
            partial = FileChannel.open(partialPath(partialId), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
        ByteBuffer bytes = ByteBuffer.wrap(chunk.bytes());
        long position = chunk.position();
        while (bytes.hasRemaining()) {
            position += partial.write(bytes, position);
        }
    }

    /** The partial snapshot {@code id} is complete: fsync, rename, make it the latest, delete older ones. */
    public void install(OffsetAndEpoch id) throws IOException {
        if (!id.equals(partialId)) {
            throw new IOException("install of snapshot " + id + " but the partial snapshot is " + partialId);
        }
        partial.force(true);
        closePartial(false);
        complete(id);
    }

    /** The whole of snapshot {@code id} (for the state machine to load); bounded by the caller's size check. */
    public byte[] readAll(OffsetAndEpoch id) throws IOException {
        return Files.readAllBytes(directory.resolve(fileName(id)));
    }

    @Override
    public long sizeInBytes(OffsetAndEpoch snapshotId) {
        if (!snapshotId.equals(latest)) {
            return -1;
        }
        try {
            return Files.size(directory.resolve(fileName(snapshotId)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] read(OffsetAndEpoch snapshotId, long position, int maxBytes) {
        try (FileChannel channel = FileChannel.open(directory.resolve(fileName(snapshotId)),
                StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.max(0, Math.min(maxBytes, size - position)));
            while (bytes.hasRemaining()) {
                if (channel.read(bytes, position + bytes.position()) < 0) {
                    throw new IOException("snapshot " + snapshotId + " ended early");
                }
            }
            return bytes.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the partial snapshot's file, if any (at close or before another starts). */
    public void close() throws IOException {
        closePartial(false);
    }

    private void complete(OffsetAndEpoch id) throws IOException {
        Files.move(partialPath(id), directory.resolve(fileName(id)), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        QuorumStateFile.forceDirectory(directory);
        latest = id;
        deleteAllBut(id);
    }

    private void closePartial(boolean delete) throws IOException {
        if (partial != null) {
            partial.close();
            if (delete) {
                Files.deleteIfExists(partialPath(partialId));
            }
            partial = null;
            partialId = null;
        }
    }

    private void deleteAllBut(OffsetAndEpoch keep) throws IOException {
        String kept = keep == null ? null : fileName(keep);
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                boolean snapshotFile = name.endsWith(SUFFIX);
                if (snapshotFile && NAME.matcher(name).matches() && !name.equals(kept)) {
                    Files.delete(file);
                }
            }
        }
    }

    private Path partialPath(OffsetAndEpoch id) {
        return directory.resolve(fileName(id) + ".part");
    }
}
