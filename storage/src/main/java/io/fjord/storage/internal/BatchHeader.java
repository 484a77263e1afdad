package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;

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
