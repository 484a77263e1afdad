package io.fjord.bench.fuzz;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The records of a Produce partition: well-formed v2 batches (every codec), batches whose header fields lie with a
 * valid CRC (record counts up to 2^31-1, offset deltas, producer fields, magic, control and transactional bits,
 * timestamps), several batches at once, and decompression bombs. Not thread-safe (one per generator), but holds only
 * the shared, synchronized bombs.
 */
final class ProducePayloads {
    private static final long BASE_TIMESTAMP = 1_767_225_600_000L;
    private final DecompressionBombs bombs;

    ProducePayloads(DecompressionBombs bombs) {
        this.bombs = bombs;
    }

    /** A payload for one partition; null (a legal "no records" in the schema) now and then when hostile. */
    MemoryRecords records(FuzzValues values) {
        if (values.hostile() && values.chance(0.05)) {
            return null;
        }
        if (values.hostile() && values.chance(0.15)) {
            return bomb(values);
        }
        ByteBuffer first = batch(values);
        if (!values.chance(0.05)) {
            return MemoryRecords.readableRecords(first);
        }
        ByteBuffer second = batch(values);
        ByteBuffer both = ByteBuffer.allocate(first.remaining() + second.remaining()).put(first).put(second).flip();
        return MemoryRecords.readableRecords(both);
    }

    /** A bomb: a tiny compressed batch of a codec, one record of up to ~2 GB of zeros, a valid CRC. */
    MemoryRecords bomb(FuzzValues values) {
        CompressionType type = values.pick(List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4,
                CompressionType.ZSTD));
        int recordCount = values.chance(0.5) ? 1 : values.pick(List.of(2, 1_000_000, Integer.MAX_VALUE));
        BatchWriter.Header header = BatchWriter.Header.of(recordCount, type.id, BASE_TIMESTAMP);
        return MemoryRecords.readableRecords(BatchWriter.batch(header, bombs.payload(type)));
    }

    private ByteBuffer batch(FuzzValues values) {
        int compression = values.chance(0.5) ? 0 : values.between(1, 4);
        int recordCount = 1 + values.count(4);
        List<byte[]> bodies = new ArrayList<>(recordCount);
        for (int index = 0; index < recordCount; index++) {
            byte[] key = values.chance(0.3) ? null : values.text(1 + values.count(8)).getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII);
            byte[] value = values.bytes(200);
            List<byte[][]> headers = new ArrayList<>();
            if (values.chance(0.2)) {
                headers.add(new byte[][] {values.text(3).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    values.bytes(10)});
            }
            bodies.add(BatchWriter.record(values.int32(index), values.int64(index), key, value, headers));
        }
        byte[] payload = BatchWriter.payload(bodies);
        if (values.hostile()) {
            payload = mangle(payload, values);
        }
        short attributes = (short) values.int32(compression);
        long timestamp = values.int64(BASE_TIMESTAMP);
        boolean idempotent = values.chance(0.2);
        BatchWriter.Header header = new BatchWriter.Header(values.int64(0L), values.int32(-1),
                values.hostile() ? values.int8((byte) 2) : (byte) 2, attributes,
                values.int32(recordCount - 1), timestamp, values.int64(timestamp),
                idempotent ? values.int64(values.between(0, 3)) : values.int64(-1L),
                idempotent ? values.int16((short) 0) : (short) -1,
                idempotent ? values.int32(0) : values.int32(-1), values.claimedCount(recordCount));
        return BatchWriter.batch(header, BatchWriter.compress(compression & 0x7, payload));
    }

    /** Damages the uncompressed record bytes (before compression, so the codec frames them correctly). */
    private static byte[] mangle(byte[] payload, FuzzValues values) {
        if (payload.length == 0) {
            return payload;
        }
        byte[] copy = payload.clone();
        int flips = 1 + values.count(3);
        for (int flip = 0; flip < flips; flip++) {
            copy[values.nextInt(copy.length)] = (byte) values.anyInt();
        }
        if (values.chance(0.3)) {
            return java.util.Arrays.copyOf(copy, values.nextInt(copy.length));
        }
        return copy;
    }
}
