package io.fjord.bench.fuzz;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Compressed batch payloads that are small on the wire and huge once decompressed: one record whose value claims
 * (and holds) up to about 2 GB of zeros. Building one costs seconds of CPU, so each codec's payload is built once
 * per process and kept (the largest, snappy's, is a few MB). Thread-safe (synchronized).
 */
final class DecompressionBombs {
    private static final int CHUNK_BYTES = 1 << 20;
    private final Map<CompressionType, byte[]> payloads = new EnumMap<>(CompressionType.class);
    private final long capBytes;

    /** Full-size bombs. */
    DecompressionBombs() {
        this(Long.MAX_VALUE);
    }

    /** Bombs of at most {@code capBytes} decompressed (tests use small ones: building full ones takes seconds). */
    DecompressionBombs(long capBytes) {
        this.capBytes = capBytes;
    }

    /** Decompressed size per codec, kept so the compressed payload stays a few MB at most (snappy compresses ~20:1). */
    static long decompressedBytes(CompressionType type) {
        return switch (type) {
            case GZIP -> 1L << 30;
            case ZSTD -> 2_000_000_000L;
            case LZ4 -> 512L << 20;
            case SNAPPY -> 64L << 20;
            case NONE -> throw new IllegalArgumentException("a bomb needs a codec");
        };
    }

    /** The compressed payload of the codec's bomb: one record holding zeros, about the codec's decompressed size. */
    synchronized byte[] payload(CompressionType type) {
        return payloads.computeIfAbsent(type, codec -> build(codec, Math.min(capBytes, decompressedBytes(codec))));
    }

    private static byte[] build(CompressionType type, long total) {
        // A record: length, attributes, timestamp delta, offset delta, key (null), value length, value, no headers.
        int valueBytes = (int) Math.min(Integer.MAX_VALUE - 32, total - 16);
        ByteBuffer prefix = ByteBuffer.allocate(32);
        BatchWriter.writeVarint(prefix, valueBytes + 10);
        prefix.put((byte) 0);
        BatchWriter.writeVarlong(prefix, 0L);
        BatchWriter.writeVarint(prefix, 0);
        BatchWriter.writeVarint(prefix, -1);
        BatchWriter.writeVarint(prefix, valueBytes);
        ByteBufferOutputStream output = new ByteBufferOutputStream(1 << 16);
        byte[] zeros = new byte[CHUNK_BYTES];
        try (OutputStream stream = Compression.of(type).build().wrapForOutput(output, (byte) 2)) {
            stream.write(prefix.array(), 0, prefix.position());
            long remaining = valueBytes;
            while (remaining > 0) {
                int chunk = (int) Math.min(CHUNK_BYTES, remaining);
                stream.write(zeros, 0, chunk);
                remaining -= chunk;
            }
            // The headers count of the record.
            stream.write(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer buffer = output.buffer().flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
