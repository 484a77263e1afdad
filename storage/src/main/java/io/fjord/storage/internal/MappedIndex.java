package io.fjord.storage.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A memory-mapped file of fixed-size entries sorted by offset, the base of the offset and time indexes.
 *
 * <p>Thread-safety: one writer (the thread holding the log's append lock, or the segment owner while opening and
 * closing) and any number of readers. Readers see entries below {@link #entries()}, a volatile count written after
 * each entry, so an entry is complete before it is visible. A mapping replaced by {@link #trimToValidSize()} is left
 * to the garbage collector rather than unmapped, so a reader still holding it stays safe; only {@link #close()},
 * called when no reader holds the segment, unmaps explicitly.
 */
abstract class MappedIndex {
    private volatile Path file;
    private final int entrySizeBytes;
    protected final long baseOffset;
    protected volatile MappedByteBuffer mapping;
    private volatile int entries;
    private int maxEntries;

    /**
     * Opens or creates the index. A new or writable index is extended to {@code maxSizeBytes} so appends need no
     * remap; an existing one keeps the entries its length holds.
     */
    protected MappedIndex(Path file, long baseOffset, int maxSizeBytes, int entrySizeBytes, boolean writable) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySizeBytes = entrySizeBytes;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long existingLength = raf.length();
            int validLength = (int) roundDown(Math.min(existingLength, Integer.MAX_VALUE));
            this.entries = validLength / entrySizeBytes;
            long mappedLength = writable ? Math.max(roundDown(maxSizeBytes), validLength) : validLength;
            if (mappedLength != existingLength) {
                raf.setLength(mappedLength);
            }
            this.mapping = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, mappedLength);
            this.maxEntries = (int) (mappedLength / entrySizeBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open index " + file, e);
        }
    }

    private long roundDown(long bytes) {
        return bytes - bytes % entrySizeBytes;
    }

    public Path file() {
        return file;
    }

    public int entries() {
        return entries;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    public int sizeBytes() {
        return entries * entrySizeBytes;
    }

    protected int entrySizeBytes() {
        return entrySizeBytes;
    }

    /** Makes the entry just written at slot {@link #entries()} visible. */
    protected void publishAppendedEntry() {
        entries = entries + 1;
    }

    protected int relativeOffset(long offset) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit an index based at " + baseOffset);
        }
        return (int) relative;
    }

    /** The offset stored in slot {@code slot}. */
    protected abstract long offsetAt(MappedByteBuffer buffer, int slot);

    /**
     * The largest slot whose key is at most {@code target} (or, with {@code strictlyBelow}, below it), or -1.
     * Keys must grow with the slot.
     */
    protected int largestSlotAtMost(MappedByteBuffer buffer, int count, long target, boolean strictlyBelow,
                                    SlotKey key) {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            long value = key.at(buffer, middle);
            boolean fits = strictlyBelow ? value < target : value <= target;
            if (fits) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found;
    }

    /** Reads the sort key of a slot. */
    @FunctionalInterface
    protected interface SlotKey {
        long at(MappedByteBuffer buffer, int slot);
    }

    /** Drops every entry whose offset is at least {@code offset}. */
    public void truncateToOffset(long offset) {
        MappedByteBuffer buffer = mapping;
        int keep = largestSlotAtMost(buffer, entries, offset, true, this::offsetAt) + 1;
        entries = keep;
    }

    public void truncateToEntries(int count) {
        entries = Math.min(entries, count);
    }

    /** Shrinks the file to its entries, for a segment that will take no more appends. */
    public void trimToValidSize() {
        resize(sizeBytes());
    }

    /** Extends the file again, for an active segment reopened after a clean shutdown. */
    public void resize(int sizeBytes) {
        long newLength = roundDown(Math.max(sizeBytes, entries * (long) entrySizeBytes));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            mapping.force();
            raf.setLength(newLength);
            mapping = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, newLength);
            maxEntries = (int) (newLength / entrySizeBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resize index " + file, e);
        }
    }

    public void flush() {
        mapping.force();
    }

    /**
     * Renames the index file; the mapping stays valid. For a cleaner's output, whose files change suffix after they
     * are complete; the caller (the segment, under its monitor) is the only writer.
     */
    public void renameTo(Path target) {
        try {
            Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename index " + file + " to " + target, e);
        }
        file = target;
    }

    /** Unmaps the file; the caller guarantees no reader uses this index any more. */
    public void close() {
        MappedByteBuffer old = mapping;
        mapping = null;
        if (old != null) {
            old.force();
            Unmapper.unmap(old);
        }
    }

    public void deleteFile() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete index " + file, e);
        }
    }
}
