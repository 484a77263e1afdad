package io.fjord.storage;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Helpers for log manager tests: configs over temporary directories and decoding of read data. */
final class LogManagerTestSupport {
    private LogManagerTestSupport() {
    }

    /** A config over {@code dirs}; periodic tasks keep their long defaults so tests drive them by hand. */
    static LogManagerConfig config(List<Path> dirs, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("log.dirs", dirs.stream().map(Path::toString).collect(Collectors.joining(",")));
        return LogManagerConfig.fromProperties(properties);
    }

    static List<String> values(ByteBuffer bytes) {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : RecordBatches.of(bytes)) {
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                values.add(record.offset() + ":" + TestBatches.string(record.value()));
            }
        }
        return values;
    }

    /** Appends {@code batches} single-record batches and returns the values as read back would show them. */
    static List<String> appendValues(PartitionLog log, String prefix, int batches, long timestamp) {
        List<String> expected = new ArrayList<>();
        for (int index = 0; index < batches; index++) {
            AppendResult result = log.appendAsLeader(TestBatches.batch(timestamp, prefix + index), 0);
            expected.add(result.firstOffset() + ":" + prefix + index);
        }
        return expected;
    }

    /** Path of the newest segment file of {@code log}. */
    static Path activeSegmentFile(PartitionLog log) {
        List<Long> bases = log.segmentBaseOffsets();
        return log.directory().resolve(String.format("%020d.log", bases.get(bases.size() - 1)));
    }
}
