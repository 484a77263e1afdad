package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Reads a log's whole batches from an offset to its end into one buffer, chunk by chunk; for tools and tests (the
 * request paths send file slices instead). Stateless; thread-safe.
 */
public final class WholeLogReads {
    private static final int CHUNK_BYTES = 1024 * 1024;

    private WholeLogReads() {
    }

    /**
     * @param logEndOffset the log's end, read again after every chunk
     * @param reader       reads at least one whole batch from an offset (at most {@link #CHUNK_BYTES} beyond it)
     */
    public static ByteBuffer readAll(long startOffset, LongSupplier logEndOffset, LongFunction<LogReadResult> reader) {
        List<ByteBuffer> parts = new ArrayList<>();
        int total = 0;
        long offset = startOffset;
        while (offset < logEndOffset.getAsLong()) {
            LogReadResult result = reader.apply(offset);
            if (result.slice().isEmpty()) {
                break;
            }
            ByteBuffer bytes;
            try (FileSlice slice = result.slice()) {
                bytes = slice.readAll();
            }
            long next = offset;
            int wholeBytes = 0;
            for (RecordBatch batch : RecordBatches.of(bytes)) {
                next = batch.nextOffset();
                wholeBytes += batch.sizeInBytes();
            }
            if (next == offset) {
                break;
            }
            bytes.limit(wholeBytes); // a batch cut by the chunk's end comes again with the next chunk
            parts.add(bytes);
            total += wholeBytes;
            offset = next;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        parts.forEach(all::put);
        return all.flip();
    }

    /** The most bytes one chunk reads. */
    public static int chunkBytes() {
        return CHUNK_BYTES;
    }
}
