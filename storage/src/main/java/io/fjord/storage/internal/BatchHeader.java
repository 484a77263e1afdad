package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The header of one batch in a segment file and where it lies. Immutable and thread-safe.
 *
 * @param position   byte position of the batch in its segment file
 * @param sizeBytes  whole size of the batch
 */
public record BatchHeader(int position, int sizeBytes, long baseOffset, long lastOffset, byte magic, long maxTimestamp,
                          int partitionLeaderEpoch, short attributes, long producerId, short producerEpoch,
                          int baseSequence, int recordCount) {

    static BatchHeader parse(ByteBuffer buffer, int index, int filePosition) {
        RecordBatch view = new RecordBatch(buffer, index);
        return new BatchHeader(filePosition, view.sizeInBytes(), view.baseOffset(), view.lastOffset(), view.magic(),
                view.maxTimestamp(), view.partitionLeaderEpoch(), view.attributes(), view.producerId(),
                view.producerEpoch(), view.baseSequence(), view.recordCount());
    }

    /** The last {@code count} headers of {@code kept} followed by {@code appended}. */
    static BatchHeader[] lastOf(BatchHeader[] kept, List<BatchHeader> appended, int count) {
        int total = kept.length + appended.size();
        int skipped = Math.max(0, total - count);
        BatchHeader[] result = new BatchHeader[total - skipped];
        for (int i = skipped; i < total; i++) {
            result[i - skipped] = i < kept.length ? kept[i] : appended.get(i - kept.length);
        }
        return result;
    }

    public long nextOffset() {
        return lastOffset + 1;
    }

    public int endPosition() {
        return position + sizeBytes;
    }

    public boolean isControl() {
        return (attributes & 0x20) != 0;
    }

    public boolean isTransactional() {
        return (attributes & 0x10) != 0;
    }
}
