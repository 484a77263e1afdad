package io.fjord.storage;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a test appended to a log: every batch's bytes as stored and every record's expected content by offset, for
 * comparing reads and brute-forcing timestamp lookups. Not thread-safe.
 */
public final class LogModel {
    /** A record as it must read back. */
    public record ExpectedRecord(long offset, long timestamp, byte[] key, byte[] value, int leaderEpoch) {
    }

    /** A batch as the log stored it. */
    public record StoredBatch(long baseOffset, long lastOffset, byte[] bytes) {
        public long nextOffset() {
            return lastOffset + 1;
        }
    }

    private final TreeMap<Long, StoredBatch> batches = new TreeMap<>();
    private final TreeMap<Long, ExpectedRecord> records = new TreeMap<>();

    /**
     * Records an append: {@code appended} is the buffer after the log assigned offsets in place, {@code sent} the
     * records as the producer built them (timestamps replaced by {@code logAppendTimeMs} when that is not -1).
     */
    public void appended(ByteBuffer appended, List<List<Record>> sent, long logAppendTimeMs, int leaderEpoch) {
        int index = 0;
        for (RecordBatch batch : RecordBatches.of(appended.duplicate())) {
            byte[] bytes = new byte[batch.sizeInBytes()];
            batch.slice().get(bytes);
            batches.put(batch.baseOffset(), new StoredBatch(batch.baseOffset(), batch.lastOffset(), bytes));
            List<Record> produced = sent.get(index++);
            for (int position = 0; position < produced.size(); position++) {
                Record record = produced.get(position);
                long offset = batch.baseOffset() + position;
                long timestamp = logAppendTimeMs >= 0 ? logAppendTimeMs : record.timestamp();
                records.put(offset, new ExpectedRecord(offset, timestamp, bytes(record.key()), bytes(record.value()),
                        leaderEpoch));
            }
        }
    }

    /** Replaces a batch's stored bytes by what the log holds (after a crash changed bytes no CRC covers). */
    public void restored(long baseOffset, byte[] bytes) {
        StoredBatch old = batches.get(baseOffset);
        batches.put(baseOffset, new StoredBatch(baseOffset, old.lastOffset(), bytes));
    }

    public long endOffset() {
        return batches.isEmpty() ? 0 : batches.lastEntry().getValue().nextOffset();
    }

    public StoredBatch batchAt(long baseOffset) {
        return batches.get(baseOffset);
    }

    public Map<Long, ExpectedRecord> records() {
        return records;
    }

    /** Forgets everything at and after {@code offset}, which must be a batch boundary. */
    public void truncateTo(long offset) {
        batches.tailMap(offset, true).clear();
        records.tailMap(offset, true).clear();
    }

    /** Forgets everything below {@code offset}. */
    public void dropBelow(long offset) {
        batches.headMap(offset, false).clear();
        records.headMap(offset, false).clear();
    }

    /** Brute force: the first record in offset order, from {@code startOffset}, with a timestamp at least the target. */
    public Optional<ExpectedRecord> firstAtOrAfter(long timestamp, long startOffset, long endOffset) {
        for (ExpectedRecord record : records.subMap(startOffset, endOffset).values()) {
            if (record.timestamp() >= timestamp) {
                return Optional.of(record);
            }
        }
        return Optional.empty();
    }

    /** Brute force: the first record holding the largest timestamp. */
    public Optional<ExpectedRecord> firstWithMaxTimestamp() {
        ExpectedRecord best = null;
        for (ExpectedRecord record : records.values()) {
            if (best == null || record.timestamp() > best.timestamp()) {
                best = record;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Problems found comparing the decoded records of {@code batch} with the expected ones; empty if none. */
    public List<String> compareRecords(RecordBatch batch) {
        List<String> problems = new ArrayList<>();
        List<Record> decoded = RecordCodec.decode(batch, Long.MAX_VALUE);
        if (decoded.size() != batch.lastOffset() - batch.baseOffset() + 1) {
            problems.add("batch " + batch.baseOffset() + " decodes to " + decoded.size() + " records");
        }
        for (Record record : decoded) {
            ExpectedRecord expected = records.get(record.offset());
            if (expected == null) {
                problems.add("offset " + record.offset() + " was never appended");
            } else if (expected.timestamp() != record.timestamp()
                    || !Arrays.equals(expected.key(), bytes(record.key()))
                    || !Arrays.equals(expected.value(), bytes(record.value()))) {
                problems.add("offset " + record.offset() + " differs from what was appended");
            }
        }
        return problems;
    }

    public static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
