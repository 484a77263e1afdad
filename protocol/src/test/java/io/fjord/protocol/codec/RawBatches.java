package io.fjord.protocol.codec;

import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Hand-made v2 batches whose records may lie (lengths, counts, offset deltas), compressed with kafka-clients' codecs
 * and carrying a valid CRC, the shapes a hostile producer sends. Stateless.
 */
final class RawBatches {
    static final long BASE_TIMESTAMP = 1_700_000_000_000L;

    private RawBatches() {
    }

    static byte[] varint(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int zigZag = (value << 1) ^ (value >> 31);
        while ((zigZag & ~0x7f) != 0) {
            out.write((zigZag & 0x7f) | 0x80);
            zigZag >>>= 7;
        }
        out.write(zigZag);
        return out.toByteArray();
    }

    /** One record with the stated lengths (null: the true length; key and value written as given). */
    static byte[] record(int offsetDelta, byte[] key, byte[] value, Integer statedValueLength, int headerCount) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.writeBytes(varint(0)); // timestamp delta: a zig-zag varlong of 0 is one zero byte too
        body.writeBytes(varint(offsetDelta));
        body.writeBytes(varint(key == null ? -1 : key.length));
        if (key != null) {
            body.writeBytes(key);
        }
        body.writeBytes(varint(statedValueLength != null ? statedValueLength : value == null ? -1 : value.length));
        if (value != null) {
            body.writeBytes(value);
        }
        body.writeBytes(varint(headerCount));
        byte[] bytes = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(varint(bytes.length));
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    static byte[] record(int offsetDelta) {
        return record(offsetDelta, bytes("key-" + offsetDelta), bytes("value-" + offsetDelta), null, 0);
    }

    /** {@code count} well-formed records with offset deltas 0, 1, 2, ... */
    static byte[] records(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int index = 0; index < count; index++) {
            out.writeBytes(record(index));
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] compress(CompressionType type, byte[] raw) {
        return compress(type, raw, 0);
    }

    /** The raw bytes followed by {@code zeros} zero bytes, compressed as a stream (the zeros never sit in memory). */
    static byte[] compress(CompressionType type, byte[] raw, long zeros) {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(1024);
        try (OutputStream out = RecordCodec.compression(type).wrapForOutput(buffer, RecordBatch.MAGIC_V2)) {
            out.write(raw);
            byte[] chunk = new byte[64 * 1024];
            for (long left = zeros; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer written = buffer.buffer().flip();
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    /** A batch with the given header counts around {@code payload} (records, compressed or not), CRC valid. */
    static RecordBatch batch(CompressionType type, int recordCount, int lastOffsetDelta, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(RecordBatch.HEADER_SIZE_BYTES + payload.length);
        buffer.putLong(0).putInt(RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES + payload.length)
                .putInt(-1).put(RecordBatch.MAGIC_V2).putInt(0).putShort((short) type.id()).putInt(lastOffsetDelta)
                .putLong(BASE_TIMESTAMP).putLong(BASE_TIMESTAMP).putLong(-1L).putShort((short) -1).putInt(-1)
                .putInt(recordCount).put(payload).flip();
        RecordBatch batch = RecordBatch.at(buffer);
        batch.writeCrc();
        return batch;
    }

    /** A batch of {@code count} well-formed records. */
    static RecordBatch batch(CompressionType type, int count) {
        return batch(type, count, count - 1, compress(type, records(count)));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
