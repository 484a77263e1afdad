package io.fjord.metadata;

import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The metadata log of a single node: the partition log {@code __cluster_metadata-0} in the metadata directory. Each
 * append is one batch of records whose values are {@link MetadataRecordSerde} encodings, fsync'd before the append
 * returns; opening re-validates the whole log (it is small), so a torn tail from a crash is cut away and nothing
 * acknowledged is lost. A batch is at most {@link OperationLimits#RECORD_BYTES_PER_OPERATION_MAX} bytes (Kafka's maximum
 * metadata batch size); a larger one is refused with {@link MetadataBatchTooLargeException} and nothing is written.
 *
 * <p>Thread-safe: appends are serialized on this object; replay reads committed data only.
 */
public final class LocalMetadataLog implements MetadataLog {
    public static final String DIRECTORY_NAME = "__cluster_metadata-0";
    /** Metadata batches are small; bound one replayed batch's decoded size. */
    private static final long DECODED_BYTES_MAX = 64L * 1024 * 1024;

    private final PartitionLog log;
    private final InstantSource clock;

    private LocalMetadataLog(PartitionLog log, InstantSource clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Opens (or creates) the metadata log under {@code metadataDirectory}. */
    public static LocalMetadataLog open(Path metadataDirectory, InstantSource clock, ScheduledExecutorService background) {
        LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 64 * 1024 * 1024)
                .with(LogConfig.RETENTION_MS, -1)
                .with(LogConfig.MAX_MESSAGE_BYTES, OperationLimits.RECORD_BYTES_PER_OPERATION_MAX);
        PartitionLog log = PartitionLog.open(metadataDirectory.resolve(DIRECTORY_NAME), config, 0, 0, false, clock,
                SegmentHandleCache.unbounded(), background);
        log.updateHighWatermark(log.logEndOffset());
        return new LocalMetadataLog(log, clock);
    }

    @Override
    public synchronized long append(List<MetadataRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no records to append");
        }
        long now = clock.millis();
        List<Record> values = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            values.add(new Record(index, now, null, MetadataRecordSerde.write(records.get(index)), List.of()));
        }
        ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), values);
        if (batch.remaining() > OperationLimits.RECORD_BYTES_PER_OPERATION_MAX) {
            // Refused as Kafka's controller refuses it, before the log would (its error would close the connection).
            throw new MetadataBatchTooLargeException(batch.remaining(), OperationLimits.RECORD_BYTES_PER_OPERATION_MAX);
        }
        long lastOffset = log.appendAsLeader(batch, 0).lastOffset();
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        return lastOffset;
    }

    @Override
    public void replay(long fromOffset, RecordConsumer consumer) {
        long start = Math.max(fromOffset, log.logStartOffset());
        if (start >= log.logEndOffset()) {
            return;
        }
        ByteBuffer bytes = log.readAllFrom(start);
        for (RecordBatch batch : RecordBatches.of(bytes)) {
            for (Record record : RecordCodec.decode(batch, DECODED_BYTES_MAX)) {
                if (record.offset() >= fromOffset) {
                    consumer.accept(record.offset(), MetadataRecordSerde.read(record.value()));
                }
            }
        }
    }

    @Override
    public long endOffset() {
        return log.logEndOffset();
    }

    @Override
    public synchronized void close() {
        log.close();
    }
}
