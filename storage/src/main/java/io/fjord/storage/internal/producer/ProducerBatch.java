package io.fjord.storage.internal.producer;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.internal.BatchHeader;

/**
 * The producer fields of one batch, all from its header: what producer-state tracking needs. Immutable and
 * thread-safe.
 *
 * @param lastSequence   the batch's last sequence, wrapping past {@code Integer.MAX_VALUE} to 0 as producers do
 * @param maxTimestampMs the batch's max timestamp
 * @param marker         the transaction marker of a control batch, null for a data batch or a control batch holding
 *                       no marker
 */
public record ProducerBatch(long producerId, short producerEpoch, int baseSequence, int lastSequence,
                            long firstOffset, long lastOffset, long maxTimestampMs, boolean transactional,
                            boolean control, TransactionMarker marker) {

    /** The batch's producer fields; a control batch's record is decoded for its marker. */
    public static ProducerBatch of(RecordBatch batch) {
        TransactionMarker marker = batch.isControlBatch() && batch.producerId() >= 0
                ? TransactionMarker.of(batch).orElse(null) : null;
        return new ProducerBatch(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), batch.isTransactional(),
                batch.isControlBatch(), marker);
    }

    /** A data batch's producer fields from its header (a control batch's marker is not in the header). */
    public static ProducerBatch of(BatchHeader header, TransactionMarker marker) {
        return new ProducerBatch(header.producerId(), header.producerEpoch(), header.baseSequence(),
                lastSequence(header.baseSequence(), header.lastOffset() - header.baseOffset()), header.baseOffset(),
                header.lastOffset(), header.maxTimestamp(), header.isTransactional(), header.isControl(), marker);
    }

    /** Whether the batch carries a producer id, so that producer state tracks it. */
    public boolean hasProducerId() {
        return producerId >= 0;
    }

    /** The sequence after {@code sequence}, wrapping from {@code Integer.MAX_VALUE} to 0. */
    public static int nextSequence(int sequence) {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }

    static int lastSequence(int baseSequence, long offsetDelta) {
        if (baseSequence == RecordBatch.NO_SEQUENCE) {
            return RecordBatch.NO_SEQUENCE;
        }
        long last = baseSequence + offsetDelta;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }
}
