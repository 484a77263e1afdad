package io.fjord.metadata;

import io.fjord.metadata.records.MetadataRecord;
import java.util.List;

/**
 * The ordered, durable log of metadata records. On one node it is a local log; the Raft quorum (issue #5) will
 * replicate the same records. Implementations are thread-safe.
 */
public interface MetadataLog extends AutoCloseable {
    /**
     * Appends the records as one atomic batch and makes them durable; returns the offset of the last one.
     *
     * @throws MetadataBatchTooLargeException if the batch would exceed the log's batch size; nothing is appended
     */
    long append(List<MetadataRecord> records);

    /** Calls {@code consumer} with every record at or after {@code fromOffset}, in order. */
    void replay(long fromOffset, RecordConsumer consumer);

    /** The offset the next record will get. */
    long endOffset();

    @Override
    void close();

    /** Receives replayed records. */
    @FunctionalInterface
    interface RecordConsumer {
        void accept(long offset, MetadataRecord record);
    }
}
