package io.fjord.storage;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** Opening logs and reading them back as strings, for the partition-log tests. Stateless. */
public final class LogTestSupport {
    public static final long START_MS = 1_700_000_000_000L;

    private LogTestSupport() {
    }

    public static PartitionLog open(Path directory, LogConfig config, ManualClock clock,
                                    ScheduledExecutorService background) {
        return PartitionLog.open(directory, config, 0, 0, true, clock, SegmentHandleCache.unbounded(), background);
    }

    /** "offset:value" of every record in the complete batches of {@code bytes}. */
    public static List<String> values(ByteBuffer bytes) {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(bytes)) {
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                values.add(record.offset() + ":" + (record.value() == null ? null : TestBatches.string(record.value())));
            }
        }
        return values;
    }

    public static List<String> allValues(PartitionLog log) {
        return values(log.readAllFrom(log.logStartOffset()));
    }

    /** Reads a whole result into memory and releases its slice. */
    public static ByteBuffer bytes(LogReadResult result) {
        try (FileSlice slice = result.slice()) {
            return slice.isEmpty() ? ByteBuffer.allocate(0) : slice.readAll();
        }
    }

    public static List<RecordBatch> batches(ByteBuffer bytes) {
        List<RecordBatch> batches = new ArrayList<>();
        RecordBatches.of(bytes).forEach(batches::add);
        return batches;
    }

    /** Appends {@code count} single-record batches with values "v<n>"; returns the log end offset. */
    public static long appendValues(PartitionLog log, int count, long timestamp) {
        for (int index = 0; index < count; index++) {
            log.appendAsLeader(TestBatches.batch(timestamp, "v" + log.logEndOffset()), 0);
        }
        return log.logEndOffset();
    }
}
