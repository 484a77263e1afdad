package io.fjord.integration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Record batches with a valid CRC around records that lie, as a hostile or broken producer sends them (issue #10):
 * built by hand (record framing, Kafka's codecs) since Kafka's builders cannot write them. Stateless.
 */
final class PoisonBatches {
    static final long TIMESTAMP = 1_700_000_000_000L;
    private static final int HEADER_BYTES = 61;
    private static final int LOG_OVERHEAD_BYTES = 12;
    private static final int CRC_OFFSET = 17;
    private static final int ATTRIBUTES_OFFSET = 21;

    private PoisonBatches() {
    }

    static MemoryRecords records(ByteBuffer batch) {
        return MemoryRecords.readableRecords(batch);
    }

    /** Well-formed records "value-0", "value-1", ... with offset deltas 0, 1, ... and timestamp deltas 0, 10, ... */
    static byte[] records(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int index = 0; index < count; index++) {
            out.writeBytes(record(index, index * 10, ("value-" + index).getBytes(StandardCharsets.UTF_8), null));
        }
        return out.toByteArray();
    }

    /** A record with key "k"; {@code statedValueLength} (when not null) is the value length it claims. */
    static byte[] record(int offsetDelta, int timestampDelta, byte[] value, Integer statedValueLength) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.writeBytes(varint(timestampDelta));
        body.writeBytes(varint(offsetDelta));
        body.writeBytes(varint(1));
        body.write('k');
        body.writeBytes(varint(statedValueLength == null ? value.length : statedValueLength));
        body.writeBytes(value);
        body.writeBytes(varint(0));
        byte[] bytes = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(varint(bytes.length));
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    /** The start of a one-record body of key "k" closed by {@code zeros} zero bytes (value, then header count 0). */
    static byte[] bombRecordStart(int zeros) {
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        fields.writeBytes(new byte[] {0, 0, 0});
        fields.writeBytes(varint(1));
        fields.write('k');
        fields.writeBytes(varint(zeros - 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(varint(fields.size() + zeros));
        out.writeBytes(fields.toByteArray());
        return out.toByteArray();
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

    /** The raw bytes, then {@code zeros} zero bytes streamed in, compressed with Kafka's codec. */
    static byte[] compress(CompressionType type, byte[] raw, long zeros) {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(1024);
        try (OutputStream out = Compression.of(type).build().wrapForOutput(buffer, (byte) 2)) {
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

    static byte[] compress(CompressionType type, byte[] raw) {
        return compress(type, raw, 0);
    }

    /** A v2 batch with these header counts around {@code payload}, its CRC computed over what it holds. */
    static ByteBuffer batch(CompressionType type, int recordCount, int lastOffsetDelta, byte[] payload) {
        ByteBuffer batch = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        batch.putLong(0).putInt(HEADER_BYTES - LOG_OVERHEAD_BYTES + payload.length).putInt(-1).put((byte) 2).putInt(0)
                .putShort((short) type.id).putInt(lastOffsetDelta).putLong(TIMESTAMP)
                .putLong(TIMESTAMP + 10L * lastOffsetDelta).putLong(-1L).putShort((short) -1).putInt(-1)
                .putInt(recordCount).put(payload).flip();
        CRC32C crc = new CRC32C();
        crc.update(batch.array(), ATTRIBUTES_OFFSET, batch.limit() - ATTRIBUTES_OFFSET);
        batch.putInt(CRC_OFFSET, (int) crc.getValue());
        return batch;
    }

    /** A valid batch of {@code count} records. */
    static ByteBuffer valid(CompressionType type, int count) {
        return batch(type, count, count - 1, compress(type, records(count)));
    }
}
