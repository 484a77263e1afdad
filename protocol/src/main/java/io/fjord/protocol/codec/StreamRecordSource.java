package io.fjord.protocol.codec;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * The records of a compressed batch as they are decompressed, through one reused chunk: nothing of the decompressed
 * data is kept beyond the chunk, and a record is refused with MESSAGE_TOO_LARGE before it is decompressed if it would
 * take the batch past its bound on decompressed bytes. Read errors of the codec surface as {@link UncheckedIOException}
 * for the caller to classify; the end of the stream inside a record is INVALID_RECORD.
 *
 * <p>Not thread-safe: one per thread, reused batch after batch ({@link #reset}), with the codecs' buffers cached in
 * its {@link BufferSupplier}.
 */
final class StreamRecordSource implements RecordSource {
    private static final int CHUNK_BYTES = 16 * 1024;

    private final byte[] chunk = new byte[CHUNK_BYTES];
    private final BufferSupplier bufferSupplier = BufferSupplier.create();
    private InputStream input;
    private long decompressedBytesMax;
    /** Stream bytes before the chunk's first byte. */
    private long chunkStart;
    private int cursor;
    private int limit;
    private boolean ended;

    BufferSupplier bufferSupplier() {
        return bufferSupplier;
    }

    /** Starts a walk over {@code input} (null ends one, dropping the stream). */
    void reset(InputStream input, long decompressedBytesMax) {
        this.input = input;
        this.decompressedBytesMax = decompressedBytesMax;
        chunkStart = 0;
        cursor = 0;
        limit = 0;
        ended = false;
    }

    @Override
    public byte readByte() {
        if (cursor == limit && !fill()) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "the batch's records end inside a record");
        }
        return chunk[cursor++];
    }

    @Override
    public void skip(long bytes) {
        long left = bytes;
        int inChunk = limit - cursor;
        if (left <= inChunk) {
            cursor += (int) left;
            return;
        }
        left -= inChunk;
        chunkStart += limit;
        cursor = 0;
        limit = 0;
        try {
            while (left > 0) {
                long skipped = input.skip(left);
                if (skipped <= 0) {
                    // skip may stop early without meaning the end; one read tells.
                    if (input.read() < 0) {
                        ended = true;
                        throw new RecordBatchException(Kind.INVALID_RECORD,
                                "the batch's records end inside a record");
                    }
                    skipped = 1;
                }
                left -= skipped;
                chunkStart += skipped;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long position() {
        return chunkStart + cursor;
    }

    @Override
    public boolean exhausted() {
        return cursor == limit && !fill();
    }

    @Override
    public void requireRecord(int sizeBytes) {
        if (position() + sizeBytes > decompressedBytesMax) {
            throw new RecordBatchException(Kind.MESSAGE_TOO_LARGE, "the batch's records decompress to more than "
                    + decompressedBytesMax + " bytes");
        }
    }

    /** Reads the next chunk; false at the end of the stream. */
    private boolean fill() {
        if (ended) {
            return false;
        }
        chunkStart += limit;
        cursor = 0;
        limit = 0;
        try {
            int read;
            do {
                read = input.read(chunk, 0, CHUNK_BYTES);
            } while (read == 0);
            if (read < 0) {
                ended = true;
                return false;
            }
            limit = read;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
