package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Walks the batches of a segment file from a position, reading the file in chunks so that small batches do not cost
 * a system call each. With CRC checking on, each batch's CRC-32C is verified, streamed for batches larger than the
 * chunk so that a corrupt length cannot make it allocate without bound.
 *
 * <p>Not thread-safe: one scanner per walk, and at most one {@link #forLookup} walk at a time per thread (they share
 * the thread's chunk). Uses positional reads, so scanners may share a channel.
 */
public final class SegmentScanner {
    /** Chunk for lookups on the read path, where a walk usually spans one index interval. */
    public static final int READ_CHUNK_BYTES = 8 * 1024;
    /** Chunk for full walks: recovery, index rebuilds, cleaning. */
    public static final int SCAN_CHUNK_BYTES = 256 * 1024;

    private final FileChannel channel;
    private final int endPosition;
    private final boolean checkCrc;
    private final ByteBuffer chunk;
    private int chunkFilePosition;
    private int position;
    private String invalidReason;

    /**
     * Each thread's chunk for {@link #forLookup} walks: direct, so a positional read goes straight into it (a heap
     * buffer costs an allocation per walk and the JDK's copy through a temporary direct buffer), and reused, since a
     * fetch looks up its start batch (and, for consumers, the high watermark's) on every read.
     */
    private static final ThreadLocal<ByteBuffer> LOOKUP_CHUNK =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(READ_CHUNK_BYTES));

    public SegmentScanner(FileChannel channel, int startPosition, int endPosition, boolean checkCrc, int chunkBytes) {
        this(channel, startPosition, endPosition, checkCrc, ByteBuffer.allocate(chunkBytes));
    }

    private SegmentScanner(FileChannel channel, int startPosition, int endPosition, boolean checkCrc,
            ByteBuffer chunk) {
        this.channel = channel;
        this.position = startPosition;
        this.endPosition = endPosition;
        this.checkCrc = checkCrc;
        this.chunk = chunk;
        this.chunk.clear().limit(0);
        this.chunkFilePosition = startPosition;
    }

    /**
     * A scanner without CRC checks over the calling thread's reused {@link #READ_CHUNK_BYTES} chunk, for a lookup
     * that finishes its walk before the thread starts another lookup (headers are copied out; nothing refers to the
     * chunk afterwards).
     */
    public static SegmentScanner forLookup(FileChannel channel, int startPosition, int endPosition) {
        return new SegmentScanner(channel, startPosition, endPosition, false, LOOKUP_CHUNK.get());
    }

    /** Position of the next batch, or where the walk stopped. */
    public int position() {
        return position;
    }

    /** Why the walk stopped early, or null if it reached the end position cleanly (or has not stopped). */
    public String invalidReason() {
        return invalidReason;
    }

    /**
     * The next batch's header, or null at the end or at the first batch that fails its checks (then
     * {@link #invalidReason()} says why and {@link #position()} is where the bad bytes start).
     */
    public BatchHeader next() {
        if (invalidReason != null || position >= endPosition) {
            return null;
        }
        int remaining = endPosition - position;
        if (remaining < RecordBatch.HEADER_SIZE_BYTES) {
            invalidReason = remaining + " trailing bytes are shorter than a batch header";
            return null;
        }
        if (!fill(position, RecordBatch.HEADER_SIZE_BYTES)) {
            invalidReason = "file ends inside a batch header";
            return null;
        }
        int index = position - chunkFilePosition;
        BatchHeader header = BatchHeader.parse(chunk, index, position);
        String problem = checkHeader(header, remaining);
        if (problem == null && checkCrc) {
            problem = checkCrc(header);
        }
        if (problem != null) {
            invalidReason = problem;
            return null;
        }
        position += header.sizeBytes();
        return header;
    }

    private static String checkHeader(BatchHeader header, int remaining) {
        int length = header.sizeBytes() - RecordBatch.LOG_OVERHEAD_BYTES;
        if (length < RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES) {
            return "batch length " + length + " is below the header size";
        }
        if (header.sizeBytes() > remaining || header.sizeBytes() < 0) {
            return "batch of " + header.sizeBytes() + " bytes runs past the " + remaining + " bytes left";
        }
        if (header.magic() != RecordBatch.MAGIC_V2) {
            return "batch magic " + header.magic() + " is not 2";
        }
        if (header.lastOffset() < header.baseOffset() || header.baseOffset() < 0) {
            return "batch offsets " + header.baseOffset() + ".." + header.lastOffset() + " are invalid";
        }
        return null;
    }

    private String checkCrc(BatchHeader header) {
        CRC32C crc = new CRC32C();
        int coveredStart = header.position() + RecordBatch.ATTRIBUTES_OFFSET;
        int coveredEnd = header.endPosition();
        if (header.sizeBytes() <= chunk.capacity()) {
            if (!fill(header.position(), header.sizeBytes())) {
                return "file ends inside a batch";
            }
            ByteBuffer covered = chunk.duplicate();
            covered.position(coveredStart - chunkFilePosition).limit(coveredEnd - chunkFilePosition);
            crc.update(covered);
        } else {
            ByteBuffer streaming = ByteBuffer.allocate(chunk.capacity());
            int cursor = coveredStart;
            while (cursor < coveredEnd) {
                streaming.clear().limit(Math.min(streaming.capacity(), coveredEnd - cursor));
                int read = readAt(streaming, cursor);
                if (read <= 0) {
                    return "file ends inside a batch";
                }
                streaming.flip();
                crc.update(streaming);
                cursor += read;
            }
        }
        fill(header.position(), RecordBatch.HEADER_SIZE_BYTES);
        long stored = Integer.toUnsignedLong(chunk.getInt(header.position() - chunkFilePosition + RecordBatch.CRC_OFFSET));
        if (crc.getValue() != stored) {
            return "batch CRC " + stored + " does not match the computed " + crc.getValue();
        }
        return null;
    }

    /** Makes bytes [filePosition, filePosition + length) available in the chunk; false if the file is shorter. */
    private boolean fill(int filePosition, int length) {
        int chunkEnd = chunkFilePosition + chunk.limit();
        if (filePosition >= chunkFilePosition && filePosition + length <= chunkEnd) {
            return true;
        }
        chunk.clear();
        chunkFilePosition = filePosition;
        int wanted = Math.min(chunk.capacity(), endPosition - filePosition);
        chunk.limit(Math.max(wanted, 0));
        while (chunk.hasRemaining()) {
            int read = readAt(chunk, filePosition + chunk.position());
            if (read <= 0) {
                break;
            }
        }
        chunk.flip();
        return chunk.limit() >= length;
    }

    private int readAt(ByteBuffer target, long filePosition) {
        try {
            return channel.read(target, filePosition);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read segment at " + filePosition, e);
        }
    }
}
