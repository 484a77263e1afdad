package io.fjord.storage.internal;

import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment's aborted-transaction index, {@code <20-digit base offset>.txnindex} in Kafka's format: a sequence of
 * 34-byte entries, each {@code int16 version (0), int64 producer id, int64 first offset, int64 last offset, int64
 * last stable offset}, one per ABORT marker in the segment, in the order of their markers (so last offsets grow). The
 * file exists only once an entry was written, as in Kafka. Rebuilt from the log by recovery; cut by truncation.
 *
 * <p>Thread-safe: every method holds this object's monitor (aborts are rare, and only read-committed fetches of a
 * segment holding some read the file). Appends come from the log's one writer.
 */
public final class TransactionIndex {
    public static final String SUFFIX = ".txnindex";
    static final int ENTRY_BYTES = 2 + 8 + 8 + 8 + 8;
    private static final short VERSION = 0;
    /** Entries read per system call while searching. */
    private static final int READ_CHUNK_ENTRIES = 240;

    private Path file;
    private FileChannel channel;
    /** Bytes of whole entries in the file; -1 until first needed. */
    private long sizeBytes = -1;
    private long lastOffset = -1;

    public TransactionIndex(Path file) {
        this.file = file;
    }

    public static Path file(Path directory, long baseOffset) {
        return directory.resolve(SegmentFiles.baseName(baseOffset) + SUFFIX);
    }

    public synchronized Path path() {
        return file;
    }

    /**
     * Appends the entry of an aborted transaction whose marker was just written to the segment.
     *
     * @throws IllegalArgumentException when its marker does not follow the last entry's (Kafka's check)
     */
    public synchronized void append(AbortedTransaction aborted) {
        long size = size();
        if (size > 0 && aborted.lastOffset() <= lastOffset) {
            throw new IllegalArgumentException("the aborted transaction ending at " + aborted.lastOffset()
                    + " does not follow the last one in " + file + ", ending at " + lastOffset);
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putShort(VERSION).putLong(aborted.producerId())
                .putLong(aborted.firstOffset()).putLong(aborted.lastOffset()).putLong(aborted.lastStableOffset())
                .flip();
        try {
            FileChannel target = openForWrite();
            long position = size;
            while (entry.hasRemaining()) {
                position += target.write(entry, position);
            }
        } catch (IOException e) {
            throw new StorageException("cannot append to " + file, e);
        }
        sizeBytes = size + ENTRY_BYTES;
        lastOffset = aborted.lastOffset();
    }

    /**
     * Kafka's {@code collectAbortedTxns}: adds to {@code into} the entries whose transaction overlaps
     * [{@code fetchOffset}, {@code upperBoundOffset}) (last offset at or above the fetch offset, first offset below
     * the bound). Returns true when the search is complete: an entry's last stable offset reached the bound, so no
     * later segment can hold a transaction that starts below it.
     */
    public synchronized boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTransaction> into) {
        long size = size();
        if (size == 0) {
            return false;
        }
        ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK_ENTRIES * ENTRY_BYTES);
        try {
            FileChannel source = openForRead();
            for (long position = 0; position < size; position += chunk.limit()) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), size - position));
                readFully(source, chunk, position);
                chunk.flip();
                while (chunk.remaining() >= ENTRY_BYTES) {
                    AbortedTransaction entry = decode(chunk);
                    if (entry.lastOffset() >= fetchOffset && entry.firstOffset() < upperBoundOffset) {
                        into.add(entry);
                    }
                    if (entry.lastStableOffset() >= upperBoundOffset) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + file, e);
        }
        return false;
    }

    /** Every entry, in file order; for the cleaner's copy and tests. */
    public synchronized List<AbortedTransaction> all() {
        List<AbortedTransaction> entries = new ArrayList<>();
        collect(Long.MIN_VALUE, Long.MAX_VALUE, entries);
        return entries;
    }

    /** Removes the entries of markers at or after {@code offset} (truncation of the segment to it). */
    public synchronized void truncateTo(long offset) {
        long keep = 0;
        long kept = -1;
        for (AbortedTransaction entry : all()) {
            if (entry.lastOffset() >= offset) {
                break;
            }
            keep += ENTRY_BYTES;
            kept = entry.lastOffset();
        }
        if (keep == size()) {
            return;
        }
        try {
            openForWrite().truncate(keep);
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + file, e);
        }
        sizeBytes = keep;
        lastOffset = kept;
    }

    /** Empties the index (recovery rebuilds it from the segment's markers). */
    public synchronized void reset() {
        closeChannel();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + file, e);
        }
        sizeBytes = 0;
        lastOffset = -1;
    }

    public synchronized void flush() {
        if (channel != null) {
            try {
                channel.force(true);
            } catch (IOException e) {
                throw new StorageException("cannot flush " + file, e);
            }
        }
    }

    /** Renames the file (if there is one) to {@code target}; the open channel stays valid. */
    public synchronized void renameTo(Path target) {
        try {
            if (Files.exists(file)) {
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new StorageException("cannot rename " + file + " to " + target, e);
        }
        file = target;
    }

    /** Uses {@code target} from now on, leaving the current file alone; for a new index not yet written. */
    public synchronized void pointTo(Path target) {
        closeChannel();
        file = target;
        sizeBytes = -1;
        lastOffset = -1;
    }

    public synchronized void deleteFile() {
        reset();
    }

    /** Closes the file handle; the next use reopens it. */
    public synchronized void close() {
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new StorageException("cannot close " + file, e);
            }
            channel = null;
        }
    }

    /** Bytes of whole entries; a partial entry a crash left at the end is ignored (and overwritten by appends). */
    private long size() {
        if (sizeBytes < 0) {
            try {
                sizeBytes = Files.exists(file) ? Files.size(file) / ENTRY_BYTES * ENTRY_BYTES : 0;
            } catch (IOException e) {
                throw new StorageException("cannot size " + file, e);
            }
            if (sizeBytes > 0) {
                ByteBuffer last = ByteBuffer.allocate(ENTRY_BYTES);
                try {
                    readFully(openForRead(), last, sizeBytes - ENTRY_BYTES);
                } catch (IOException e) {
                    throw new StorageException("cannot read " + file, e);
                }
                lastOffset = decode(last.flip()).lastOffset();
            }
        }
        return sizeBytes;
    }

    private FileChannel openForRead() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    private FileChannel openForWrite() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        return channel;
    }

    private void readFully(FileChannel source, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            if (source.read(into, position + into.position()) < 0) {
                throw new StorageException("unexpected end of " + file + " at " + (position + into.position()));
            }
        }
    }

    private static AbortedTransaction decode(ByteBuffer buffer) {
        buffer.getShort(); // version 0; Kafka writes no other
        return new AbortedTransaction(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
    }
}
