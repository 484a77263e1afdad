package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.storage.LogConfig;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.UnexpectedAppendOffsetException;
import java.nio.ByteBuffer;

/**
 * The checks a partition log makes on batches before it writes any of them, so a bad batch leaves the buffer and the
 * log untouched. Stateless and thread-safe.
 */
public final class AppendValidation {
    private AppendValidation() {
    }

    /**
     * Checks every batch (frame, CRC-32C, {@code max.message.bytes}): a producer's batch also by its header and
     * records ({@code expectedOffset} -1), a follower's by continuing the log from {@code expectedOffset}.
     *
     * @throws RecordBatchException            with the Kafka error for an invalid batch
     * @throws UnexpectedAppendOffsetException when a follower's batch does not continue the log
     */
    public static void validate(ByteBuffer batches, LogConfig settings, long expectedOffset, TopicPartition partition) {
        int cursor = batches.position();
        int end = batches.limit();
        if (cursor == end) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "no batches to append");
        }
        long expected = expectedOffset;
        while (cursor < end) {
            int size = RecordBatchValidator.validateFrameAndCrc(batches, cursor, end - cursor);
            RecordBatch batch = new RecordBatch(batches, cursor);
            if (size > settings.maxMessageBytes()) {
                throw new RecordBatchException(Kind.MESSAGE_TOO_LARGE, "batch of " + size
                        + " bytes exceeds max.message.bytes " + settings.maxMessageBytes());
            }
            if (expectedOffset < 0) {
                RecordBatchValidator.validateProducerBatch(batch);
            } else {
                if (batch.baseOffset() != expected) {
                    throw new UnexpectedAppendOffsetException(expected, batch.baseOffset(), partition);
                }
                expected = batch.nextOffset();
            }
            cursor += size;
        }
    }
}
