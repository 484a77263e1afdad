package io.fjord.broker.replica;

import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.Records;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.storage.PartitionLog;
import java.nio.ByteBuffer;

/**
 * Applies one partition's error-free Fetch response to the follower's log, as Kafka's replica fetcher does: the
 * complete batches are appended with the leader's offsets and epochs (a partial last batch, cut by the fetch size,
 * comes again in the next fetch), the high watermark becomes the leader's capped to this log's end, the log start
 * follows the leader's, and a diverging epoch (KIP-320) truncates the log where the two histories part
 * ({@link FollowerTruncation}). The caller holds its fetcher's partition map lock and has checked that the log still
 * ends at the fetch offset. Stateless and thread-safe.
 */
final class FollowerAppend {
    private FollowerAppend() {
    }

    /**
     * @return whether the log changed (records appended, truncated, or a new high watermark): fetches waiting on
     *     the partition should look again
     * @throws RecordBatchException when the data holds no complete batch, or a batch fails its checks
     * @throws IllegalStateException when the batches do not continue the log (never appended with a gap)
     */
    static boolean apply(PartitionLog log, FetchResponseData.PartitionData data, LogTruncation truncation) {
        boolean changed = false;
        ByteBuffer batches = completeBatches(data.records());
        if (batches.hasRemaining()) {
            log.appendAsFollower(batches);
            changed = true;
        }
        if (data.highWatermark() >= 0) {
            long before = log.highWatermark();
            log.updateHighWatermark(data.highWatermark());
            changed |= log.highWatermark() != before;
        }
        if (data.logStartOffset() > log.logStartOffset()) {
            // Never past this log's high watermark (the log refuses that); the next fetch brings the rest.
            log.maybeAdvanceLogStartOffset(Math.min(data.logStartOffset(), log.highWatermark()));
        }
        FetchResponseData.EpochEndOffset diverging = data.divergingEpoch();
        if (diverging != null && diverging.epoch() >= 0) {
            long logEnd = log.logEndOffset();
            long target = FollowerTruncation.truncationOffset(diverging.epoch(), diverging.endOffset(),
                    log.endOffsetForEpoch(diverging.epoch()), logEnd);
            if (target < logEnd) {
                truncation.truncateTo(log, target);
                changed = true;
            }
        }
        return changed;
    }

    /**
     * The whole batches at the start of {@code records}: a leader cuts its answer at the fetch size, possibly inside
     * a batch. Empty for no records.
     *
     * @throws RecordBatchException when there are bytes but not even one whole batch
     */
    static ByteBuffer completeBatches(Records records) {
        if (!(records instanceof BufferRecords buffered) || buffered.sizeInBytes() == 0) {
            return ByteBuffer.allocate(0);
        }
        ByteBuffer buffer = buffered.buffer().duplicate();
        int start = buffer.position();
        int end = buffer.limit();
        int cursor = start;
        while (end - cursor >= RecordBatch.LOG_OVERHEAD_BYTES) {
            int length = buffer.getInt(cursor + RecordBatch.LENGTH_OFFSET);
            if (length < 0 || length > end - cursor - RecordBatch.LOG_OVERHEAD_BYTES) {
                break;
            }
            cursor += RecordBatch.LOG_OVERHEAD_BYTES + length;
        }
        if (cursor == start) {
            throw new RecordBatchException(RecordBatchException.Kind.CORRUPT_MESSAGE, "a fetch response of "
                    + (end - start) + " bytes holds no whole batch");
        }
        buffer.limit(cursor);
        return buffer.slice();
    }
}
