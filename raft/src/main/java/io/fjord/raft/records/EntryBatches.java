package io.fjord.raft.records;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.protocol.records.TimestampType;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Log entries as Kafka record batches (v2), the one format of the Raft log on disk and in Fetch responses: each
 * entry is one batch of one record at the entry's offset, with the entry's epoch as the batch's partition leader
 * epoch (as KRaft stamps its batches). A {@link EntryType#DATA} entry is a plain record whose value is the payload; a
 * {@link EntryType#LEADER_CHANGE} entry is a control batch holding Kafka's LeaderChangeMessage (control type 2,
 * see {@link LeaderChangeMessage}); a {@link EntryType#VOTERS} entry is a control batch of Kafka's voters type (6,
 * KIP-853) whose value is the core's {@code VoterSet} encoding — not Kafka's VotersRecord schema, which also carries
 * endpoints and kraft.version features that Fjord keeps in configuration. The encoding is a pure function of the entry (timestamps are
 * {@link RecordBatch#NO_TIMESTAMP}), so every replica holds the same bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class EntryBatches {
    /** Bound on one batch's decoded records: an entry's payload plus record framing. */
    private static final int RECORD_OVERHEAD_BYTES = 64;
    /** Kafka's control record type of the VotersRecord (KIP-853). */
    static final short CONTROL_TYPE_KRAFT_VOTERS = 6;

    private EntryBatches() {
    }

    /** The batches of {@code entries}, one per entry, in order; {@code voterIds} go into leader-change messages. */
    public static ByteBuffer encode(List<LogEntry> entries, Collection<Integer> voterIds) {
        List<ByteBuffer> batches = new ArrayList<>(entries.size());
        int total = 0;
        for (LogEntry entry : entries) {
            ByteBuffer batch = encode(entry, voterIds);
            batches.add(batch);
            total += batch.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        batches.forEach(all::put);
        return all.flip();
    }

    private static ByteBuffer encode(LogEntry entry, Collection<Integer> voterIds) {
        boolean control = entry.type() != EntryType.DATA;
        BatchSpec spec = new BatchSpec(entry.offset(), CompressionType.NONE, TimestampType.CREATE_TIME,
                RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, control, entry.epoch(), RecordBatch.NO_TIMESTAMP);
        Record record = switch (entry.type()) {
            case LEADER_CHANGE -> new Record(entry.offset(), RecordBatch.NO_TIMESTAMP,
                    LeaderChangeMessage.controlKey(), LeaderChangeMessage.encode(entry.payload(), voterIds), List.of());
            case VOTERS -> new Record(entry.offset(), RecordBatch.NO_TIMESTAMP, votersControlKey(),
                    ByteBuffer.wrap(entry.payload()), List.of());
            case DATA -> new Record(entry.offset(), RecordBatch.NO_TIMESTAMP, null, ByteBuffer.wrap(entry.payload()),
                    List.of());
        };
        return RecordCodec.encode(spec, List.of(record));
    }

    /**
     * The entries in {@code batches} (from position to limit), checked: frame and CRC-32C, one record per batch,
     * offsets that follow each other, payloads of at most {@code maxEntryBytes}, at most {@code maxEntries}. A partial
     * batch at the end (a torn tail, a size-limited read) is ignored.
     *
     * @throws InvalidEntriesException when a batch breaks one of those rules
     */
    public static List<LogEntry> decode(ByteBuffer batches, int maxEntries, int maxEntryBytes) {
        List<LogEntry> entries = new ArrayList<>();
        long expectedOffset = -1;
        for (RecordBatch batch : RecordBatches.of(batches)) {
            if (entries.size() >= maxEntries) {
                throw new InvalidEntriesException("more than " + maxEntries + " entries");
            }
            try {
                RecordBatchValidator.validateFrameAndCrc(batch.buffer(), batch.position(), batch.sizeInBytes());
            } catch (RecordBatchException e) {
                throw new InvalidEntriesException("batch at offset " + batch.baseOffset() + ": " + e.getMessage());
            }
            if (batch.recordCount() != 1 || batch.lastOffsetDelta() != 0) {
                throw new InvalidEntriesException("batch at offset " + batch.baseOffset() + " holds "
                        + batch.recordCount() + " records, not one entry");
            }
            if (expectedOffset != -1 && batch.baseOffset() != expectedOffset) {
                throw new InvalidEntriesException("batch at offset " + batch.baseOffset() + " does not follow "
                        + (expectedOffset - 1));
            }
            if (batch.baseOffset() < 0 || batch.partitionLeaderEpoch() < 0) {
                throw new InvalidEntriesException("batch with offset " + batch.baseOffset() + " and epoch "
                        + batch.partitionLeaderEpoch());
            }
            entries.add(decode(batch, maxEntryBytes));
            expectedOffset = batch.baseOffset() + 1;
        }
        return entries;
    }

    private static LogEntry decode(RecordBatch batch, int maxEntryBytes) {
        List<Record> records;
        try {
            records = RecordCodec.decode(batch, (long) maxEntryBytes + RECORD_OVERHEAD_BYTES);
        } catch (RecordBatchException e) {
            throw new InvalidEntriesException("batch at offset " + batch.baseOffset() + ": " + e.getMessage());
        }
        Record record = records.get(0);
        if (batch.isControlBatch() && isVotersKey(record.key())) {
            return new LogEntry(batch.baseOffset(), batch.partitionLeaderEpoch(), EntryType.VOTERS,
                    payloadOf(batch, record, maxEntryBytes));
        }
        if (batch.isControlBatch()) {
            byte[] payload = LeaderChangeMessage.decodeLeaderChange(record.key(), record.value());
            return new LogEntry(batch.baseOffset(), batch.partitionLeaderEpoch(), EntryType.LEADER_CHANGE, payload);
        }
        return new LogEntry(batch.baseOffset(), batch.partitionLeaderEpoch(), EntryType.DATA,
                payloadOf(batch, record, maxEntryBytes));
    }

    private static byte[] payloadOf(RecordBatch batch, Record record, int maxEntryBytes) {
        if (record.value() == null || record.value().remaining() > maxEntryBytes) {
            throw new InvalidEntriesException("entry at offset " + batch.baseOffset() + " has no value or one over "
                    + maxEntryBytes + " bytes");
        }
        byte[] payload = new byte[record.value().remaining()];
        record.value().duplicate().get(payload);
        return payload;
    }

    /** The control record key of Kafka's KRaft voters record (version 0, type 6 = KRAFT_VOTERS). */
    private static ByteBuffer votersControlKey() {
        return ByteBuffer.allocate(4).putShort(0, (short) 0).putShort(2, CONTROL_TYPE_KRAFT_VOTERS);
    }

    private static boolean isVotersKey(ByteBuffer key) {
        return key != null && key.remaining() >= 4 && key.getShort(key.position() + 2) == CONTROL_TYPE_KRAFT_VOTERS;
    }
}
