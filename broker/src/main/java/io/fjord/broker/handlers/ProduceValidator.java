package io.fjord.broker.handlers;

import io.fjord.protocol.codec.BatchRecordsValidator;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.protocol.records.RecordVisitor;
import io.fjord.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The leader's checks of a produce request's records (Kafka's log validator): exactly one v2 batch per partition,
 * its frame and CRC, its header, and every record of it walked once without being kept
 * ({@link BatchRecordsValidator}: framing, count, offset deltas; compressed batches decompressed through a reused
 * per-thread chunk, at most {@link #DECOMPRESSED_BYTES_MAX}), with the topic's rules on the way: keys on compacted
 * topics, create-time timestamps within {@code message.timestamp.before.max.ms} / {@code after.max.ms}. Records are
 * decoded only to recompress to the topic's {@code compression.type}, so the common case stays zero-copy.
 *
 * <p>Stateless and thread-safe.
 */
final class ProduceValidator {
    /** The most bytes one produced batch's records may decompress to (MESSAGE_TOO_LARGE beyond). */
    static final long DECOMPRESSED_BYTES_MAX = 256L * 1024 * 1024;

    private ProduceValidator() {
    }

    /**
     * Checks the partition's records and returns the buffer to append: the same one, or a recompressed batch.
     *
     * @param topicConfigs the topic's effective configs by Kafka name
     */
    static ByteBuffer validate(ByteBuffer records, Map<String, String> topicConfigs, long nowMs) {
        Iterator<RecordBatch> batches = RecordBatches.of(records).iterator();
        if (!batches.hasNext()) {
            throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "the produce request holds no complete record batch");
        }
        RecordBatch batch = batches.next();
        if (batches.hasNext() || batch.sizeInBytes() != records.remaining()) {
            throw new RecordBatchException(Kind.INVALID_RECORD,
                    "Produce requests with version 3 and above must contain exactly one record batch per partition");
        }
        // Kafka's order: the size, then the frame and CRC (a batch damaged in transit is CORRUPT_MESSAGE whatever it
        // holds), then the records; so an oversized batch costs no decompression.
        long maxMessageBytes = parse(topicConfigs.get("max.message.bytes"), Long.MAX_VALUE);
        if (batch.sizeInBytes() > maxMessageBytes) {
            throw new RecordBatchException(Kind.MESSAGE_TOO_LARGE, "batch of " + batch.sizeInBytes()
                    + " bytes exceeds max.message.bytes " + maxMessageBytes);
        }
        RecordBatchValidator.validateFrameAndCrc(records, records.position(), records.remaining());
        RecordBatchValidator.validateProducerBatchHeader(batch);
        boolean compacted = topicConfigs.getOrDefault("cleanup.policy", "delete").contains("compact");
        boolean createTime = TimestampType.forConfigName(topicConfigs.getOrDefault("message.timestamp.type",
                "CreateTime")) == TimestampType.CREATE_TIME;
        long beforeMaxMs = parse(topicConfigs.get("message.timestamp.before.max.ms"), Long.MAX_VALUE);
        long afterMaxMs = parse(topicConfigs.get("message.timestamp.after.max.ms"), 3_600_000L);
        boolean checkTimestamps = createTime && (beforeMaxMs != Long.MAX_VALUE
                || batch.maxTimestamp() > saturatedAdd(nowMs, afterMaxMs));
        ProducedRecordChecks checks = compacted || checkTimestamps ? new ProducedRecordChecks(batch, compacted,
                checkTimestamps, nowMs - beforeMaxMs, saturatedAdd(nowMs, afterMaxMs)) : null;
        BatchRecordsValidator.validateRecords(batch, DECOMPRESSED_BYTES_MAX, checks == null ? RecordVisitor.NONE
                : checks);
        if (checks != null) {
            checks.throwIfRefused();
        }
        CompressionType target = targetCompression(topicConfigs.getOrDefault("compression.type", "producer"),
                batch.compressionType());
        if (target == batch.compressionType()) {
            return records;
        }
        return recompress(batch, target);
    }

    /**
     * Re-encodes the batch's records with the topic's codec. The encoder refuses what Kafka's log validator only
     * meets when it rebuilds a batch, so those are checked first and answered as Kafka's rules name them: a negative
     * timestamp other than -1 is INVALID_TIMESTAMP, a producer id with a negative epoch or
     * sequence (or a transactional batch without one) INVALID_RECORD. Offsets are
     * rebuilt from the deltas (already checked to be 0, 1, 2, ...) on base offset 0, since the log assigns the real
     * ones: a producer's base offset is meaningless and may be near {@code Long.MAX_VALUE}.
     */
    private static ByteBuffer recompress(RecordBatch batch, CompressionType target) {
        boolean hasProducerId = batch.producerId() != RecordBatch.NO_PRODUCER_ID;
        if (hasProducerId && (batch.producerEpoch() < 0 || batch.baseSequence() < 0)
                || !hasProducerId && batch.isTransactional()) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "invalid producer id " + batch.producerId()
                    + ", epoch " + batch.producerEpoch() + " and sequence " + batch.baseSequence()
                    + (batch.isTransactional() ? " in a transactional batch" : ""));
        }
        List<Record> decoded = RecordCodec.decode(batch, DECOMPRESSED_BYTES_MAX);
        List<Record> rebased = new ArrayList<>(decoded.size());
        for (int index = 0; index < decoded.size(); index++) {
            Record record = decoded.get(index);
            if (record.timestamp() < 0 && record.timestamp() != RecordBatch.NO_TIMESTAMP) {
                throw new RecordBatchException(Kind.INVALID_TIMESTAMP, "record " + index + " has the negative timestamp "
                        + record.timestamp());
            }
            rebased.add(new Record(index, record.timestamp(), record.key(), record.value(), record.headers()));
        }
        BatchSpec spec = BatchSpec.of(batch).withCompression(target);
        return RecordCodec.encode(new BatchSpec(0, spec.compression(), spec.timestampType(), spec.logAppendTimeMs(),
                spec.producerId(), spec.producerEpoch(), spec.baseSequence(), spec.transactional(), spec.control(),
                spec.partitionLeaderEpoch(), spec.deleteHorizonMs()), rebased);
    }

    private static CompressionType targetCompression(String configured, CompressionType producer) {
        return switch (configured) {
            case "producer" -> producer;
            case "uncompressed" -> CompressionType.NONE;
            default -> CompressionType.forConfigName(configured);
        };
    }

    private static long parse(String value, long fallback) {
        return value == null ? fallback : Long.parseLong(value.trim());
    }

    private static long saturatedAdd(long left, long right) {
        long sum = left + right;
        return ((left ^ sum) & (right ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
