package io.fjord.broker.handlers;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.Errors;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The leader's checks of a produce request's records that go beyond the batch frame (Kafka's log validator): exactly
 * one v2 batch per partition, keys on compacted topics, create-time timestamps within
 * {@code message.timestamp.before.max.ms} / {@code after.max.ms}, and recompression to the topic's
 * {@code compression.type}. Records are decoded only when a check needs them, so the common case stays zero-copy.
 *
 * <p>Stateless and thread-safe.
 */
final class ProduceValidator {
    private static final long DECODED_BYTES_MAX = 256L * 1024 * 1024;

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
        boolean compacted = topicConfigs.getOrDefault("cleanup.policy", "delete").contains("compact");
        boolean createTime = TimestampType.forConfigName(topicConfigs.getOrDefault("message.timestamp.type",
                "CreateTime")) == TimestampType.CREATE_TIME;
        long beforeMaxMs = parse(topicConfigs.get("message.timestamp.before.max.ms"), Long.MAX_VALUE);
        long afterMaxMs = parse(topicConfigs.get("message.timestamp.after.max.ms"), 3_600_000L);
        CompressionType target = targetCompression(topicConfigs.getOrDefault("compression.type", "producer"),
                batch.compressionType());
        boolean checkTimestamps = createTime && (beforeMaxMs != Long.MAX_VALUE
                || batch.maxTimestamp() > saturatedAdd(nowMs, afterMaxMs));
        if (!compacted && !checkTimestamps && target == batch.compressionType()) {
            return records;
        }
        // The append checks the frame again; here it must hold before the records are decoded.
        RecordBatchValidator.validateFrameAndCrc(records, records.position(), records.remaining());
        RecordBatchValidator.validateProducerBatch(batch);
        List<Record> decoded = RecordCodec.decode(batch, DECODED_BYTES_MAX);
        List<RecordValidationException.RecordError> recordErrors = new ArrayList<>();
        boolean timestampError = false;
        for (int index = 0; index < decoded.size(); index++) {
            Record record = decoded.get(index);
            if (compacted && !record.hasKey()) {
                recordErrors.add(new RecordValidationException.RecordError(index,
                        "Compacted topic cannot accept message without key"));
            } else if (checkTimestamps && (record.timestamp() < nowMs - beforeMaxMs
                    || record.timestamp() > saturatedAdd(nowMs, afterMaxMs))) {
                timestampError = true;
                recordErrors.add(new RecordValidationException.RecordError(index, "Timestamp " + record.timestamp()
                        + " of message with offset " + record.offset() + " is out of range. The timestamp should be"
                        + " within [" + (nowMs - beforeMaxMs) + ", " + saturatedAdd(nowMs, afterMaxMs) + "]"));
            }
        }
        if (!recordErrors.isEmpty()) {
            // Like Kafka: one bad record refuses the batch; any timestamp error makes it INVALID_TIMESTAMP.
            Errors error = timestampError ? Errors.INVALID_TIMESTAMP : Errors.INVALID_RECORD;
            throw new RecordValidationException(error, recordErrors.size() + " of " + decoded.size()
                    + " records were refused; the first: " + recordErrors.get(0).message(), recordErrors);
        }
        if (target == batch.compressionType()) {
            return records;
        }
        return RecordCodec.encode(BatchSpec.of(batch).withCompression(target), decoded);
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
