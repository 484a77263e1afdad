package io.fjord.broker.handlers;

import io.fjord.protocol.Errors;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordVisitor;
import io.fjord.protocol.records.TimestampType;
import java.util.ArrayList;
import java.util.List;

/**
 * The topic's rules for each produced record, applied while the batch's records are walked: a key on compacted
 * topics, and create-time timestamps within {@code [nowMs - beforeMaxMs, nowMs + afterMaxMs]}. Allocates only for
 * refused records.
 *
 * <p>Not thread-safe: one per batch, on the walking thread.
 */
final class ProducedRecordChecks implements RecordVisitor {
    private final RecordBatch batch;
    private final boolean keysRequired;
    private final boolean timestampsChecked;
    private final long timestampMin;
    private final long timestampMax;
    private final List<RecordValidationException.RecordError> errors = new ArrayList<>(0);
    private boolean timestampError;
    private int recordCount;

    ProducedRecordChecks(RecordBatch batch, boolean keysRequired, boolean timestampsChecked, long timestampMin,
            long timestampMax) {
        this.batch = batch;
        this.keysRequired = keysRequired;
        this.timestampsChecked = timestampsChecked;
        this.timestampMin = timestampMin;
        this.timestampMax = timestampMax;
    }

    @Override
    public void record(int index, long timestampDelta, boolean hasKey) {
        recordCount++;
        if (keysRequired && !hasKey) {
            errors.add(new RecordValidationException.RecordError(index,
                    "Compacted topic cannot accept message without key"));
            return;
        }
        if (!timestampsChecked) {
            return;
        }
        // As a record reader sees it: log-append-time batches give every record the batch's max timestamp.
        long timestamp = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp()
                : batch.baseTimestamp() + timestampDelta;
        if (timestamp < timestampMin || timestamp > timestampMax) {
            timestampError = true;
            errors.add(new RecordValidationException.RecordError(index, "Timestamp " + timestamp
                    + " of message with offset " + (batch.baseOffset() + index) + " is out of range. The timestamp"
                    + " should be within [" + timestampMin + ", " + timestampMax + "]"));
        }
    }

    /** Throws if any record was refused: like Kafka, one bad record refuses the batch. */
    void throwIfRefused() {
        if (errors.isEmpty()) {
            return;
        }
        // Any timestamp error makes the batch INVALID_TIMESTAMP.
        Errors error = timestampError ? Errors.INVALID_TIMESTAMP : Errors.INVALID_RECORD;
        throw new RecordValidationException(error, errors.size() + " of " + recordCount
                + " records were refused; the first: " + errors.get(0).message(), errors);
    }
}
