package io.fjord.bench.fuzz;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Writes Kafka v2 record batches byte by byte, so that every header field (record count, offset delta, producer
 * fields, attributes) can be set to anything while the CRC-32C stays valid: the broker must then judge the content,
 * not the checksum. Compression uses kafka-clients' codecs. Stateless, thread-safe.
 */
final class BatchWriter {
    static final int HEADER_BYTES = 61;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int CRC_OFFSET = 17;

    private BatchWriter() {
    }

    /**
     * The header fields of a batch; {@code recordCount} and {@code lastOffsetDelta} are written as given, whatever
     * the payload holds.
     */
    record Header(long baseOffset, int partitionLeaderEpoch, byte magic, short attributes, int lastOffsetDelta,
                  long baseTimestamp, long maxTimestamp, long producerId, short producerEpoch, int baseSequence,
                  int recordCount) {
        static Header of(int recordCount, short attributes, long timestamp) {
            return new Header(0L, -1, (byte) 2, attributes, recordCount - 1, timestamp, timestamp, -1L, (short) -1,
                    -1, recordCount);
        }
    }

    /** A record's body (without its length prefix): Kafka's v2 record layout. */
    static byte[] record(int offsetDelta, long timestampDelta, byte[] key, byte[] value, List<byte[][]> headers) {
        ByteBuffer buffer = ByteBuffer.allocate(64 + length(key) + length(value) + headersLength(headers));
        buffer.put((byte) 0);
        writeVarlong(buffer, timestampDelta);
        writeVarint(buffer, offsetDelta);
        writeBytes(buffer, key);
        writeBytes(buffer, value);
        writeVarint(buffer, headers.size());
        for (byte[][] header : headers) {
            writeVarint(buffer, header[0].length);
            buffer.put(header[0]);
            writeBytes(buffer, header[1]);
        }
        byte[] body = new byte[buffer.position()];
        buffer.flip().get(body);
        return body;
    }

    /** Record bodies framed with their varint lengths: the (uncompressed) payload of a batch. */
    static byte[] payload(List<byte[]> recordBodies) {
        int size = 0;
        for (byte[] body : recordBodies) {
            size += 5 + body.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (byte[] body : recordBodies) {
            writeVarint(buffer, body.length);
            buffer.put(body);
        }
        byte[] payload = new byte[buffer.position()];
        buffer.flip().get(payload);
        return payload;
    }

    /** Compresses a payload with the codec of {@code compressionId} (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
    static byte[] compress(int compressionId, byte[] payload) {
        if (compressionId == 0) {
            return payload;
        }
        ByteBufferOutputStream output = new ByteBufferOutputStream(Math.max(64, payload.length / 2));
        try (OutputStream stream = Compression.of(CompressionType.forId(compressionId)).build()
                .wrapForOutput(output, (byte) 2)) {
            stream.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer buffer = output.buffer().flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** A whole batch: the header, then the (already compressed) payload, with a valid CRC-32C. */
    static ByteBuffer batch(Header header, byte[] compressedPayload) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + compressedPayload.length);
        buffer.putLong(header.baseOffset());
        buffer.putInt(HEADER_BYTES - 12 + compressedPayload.length);
        buffer.putInt(header.partitionLeaderEpoch());
        buffer.put(header.magic());
        buffer.putInt(0);
        buffer.putShort(header.attributes());
        buffer.putInt(header.lastOffsetDelta());
        buffer.putLong(header.baseTimestamp());
        buffer.putLong(header.maxTimestamp());
        buffer.putLong(header.producerId());
        buffer.putShort(header.producerEpoch());
        buffer.putInt(header.baseSequence());
        buffer.putInt(header.recordCount());
        buffer.put(compressedPayload);
        buffer.flip();
        updateCrc(buffer);
        return buffer;
    }

    /** Recomputes the CRC-32C of the batch starting at the buffer's position (after a header field changed). */
    static void updateCrc(ByteBuffer batch) {
        int start = batch.position();
        CRC32C crc = new CRC32C();
        ByteBuffer covered = batch.duplicate().position(start + ATTRIBUTES_OFFSET);
        crc.update(covered);
        batch.putInt(start + CRC_OFFSET, (int) crc.getValue());
    }

    static void writeVarint(ByteBuffer buffer, int value) {
        int zigzag = (value << 1) ^ (value >> 31);
        writeUnsignedVarint(buffer, zigzag);
    }

    static void writeUnsignedVarint(ByteBuffer buffer, int value) {
        int remaining = value;
        while ((remaining & 0xffffff80) != 0) {
            buffer.put((byte) ((remaining & 0x7f) | 0x80));
            remaining >>>= 7;
        }
        buffer.put((byte) remaining);
    }

    static void writeVarlong(ByteBuffer buffer, long value) {
        long remaining = (value << 1) ^ (value >> 63);
        while ((remaining & 0xffffffffffffff80L) != 0L) {
            buffer.put((byte) ((remaining & 0x7f) | 0x80));
            remaining >>>= 7;
        }
        buffer.put((byte) remaining);
    }

    private static void writeBytes(ByteBuffer buffer, byte[] bytes) {
        if (bytes == null) {
            writeVarint(buffer, -1);
        } else {
            writeVarint(buffer, bytes.length);
            buffer.put(bytes);
        }
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static int headersLength(List<byte[][]> headers) {
        int size = 0;
        for (byte[][] header : headers) {
            size += 10 + header[0].length + length(header[1]);
        }
        return size;
    }
}
