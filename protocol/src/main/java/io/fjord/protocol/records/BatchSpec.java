package io.fjord.protocol.records;

/**
 * The batch-level fields of a batch to encode. Immutable and thread-safe.
 *
 * @param baseOffset         offset of the batch; record offsets are absolute and at least this
 * @param compression        codec for the records
 * @param timestampType      create time, or log append time with {@code logAppendTimeMs} as every timestamp
 * @param logAppendTimeMs    used when {@code timestampType} is log append time
 * @param producerId         {@link RecordBatch#NO_PRODUCER_ID} when not idempotent
 * @param producerEpoch      {@link RecordBatch#NO_PRODUCER_EPOCH} when not idempotent
 * @param baseSequence       {@link RecordBatch#NO_SEQUENCE} when not idempotent
 * @param transactional      whether the batch belongs to a transaction
 * @param control            whether the batch holds control records
 * @param partitionLeaderEpoch epoch of the leader that appended it, or {@link RecordBatch#NO_PARTITION_LEADER_EPOCH}
 * @param deleteHorizonMs    a cleaner's delete horizon, or {@link RecordBatch#NO_TIMESTAMP}
 */
public record BatchSpec(long baseOffset, CompressionType compression, TimestampType timestampType, long logAppendTimeMs,
                        long producerId, short producerEpoch, int baseSequence, boolean transactional, boolean control,
                        int partitionLeaderEpoch, long deleteHorizonMs) {

    /** A plain producer batch: no idempotence, create time. */
    public static BatchSpec plain(long baseOffset, CompressionType compression) {
        return new BatchSpec(baseOffset, compression, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP);
    }

    /** The fields of an existing batch, for rewriting its records (compaction, recompression). */
    public static BatchSpec of(RecordBatch batch) {
        return new BatchSpec(batch.baseOffset(), batch.compressionType(), batch.timestampType(),
                batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : RecordBatch.NO_TIMESTAMP,
                batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(),
                batch.isControlBatch(), batch.partitionLeaderEpoch(), batch.deleteHorizonMs());
    }

    public BatchSpec withDeleteHorizonMs(long horizonMs) {
        return new BatchSpec(baseOffset, compression, timestampType, logAppendTimeMs, producerId, producerEpoch,
                baseSequence, transactional, control, partitionLeaderEpoch, horizonMs);
    }

    public BatchSpec withCompression(CompressionType codec) {
        return new BatchSpec(baseOffset, codec, timestampType, logAppendTimeMs, producerId, producerEpoch,
                baseSequence, transactional, control, partitionLeaderEpoch, deleteHorizonMs);
    }
}
