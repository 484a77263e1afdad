package io.fjord.storage.internal;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.TimestampAndOffset;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Lookups by time over a partition log's segments (ListOffsets by timestamp and MAX_TIMESTAMP). Stateless and
 * thread-safe: each segment is acquired while it is read, like any read.
 */
public final class TimestampLookups {
    /** Bound on the bytes one batch may decode to when a lookup needs its records. */
    private static final long DECODED_BYTES_MAX = 256L * 1024 * 1024;

    private TimestampLookups() {
    }

    /**
     * The first record at or after {@code startOffset} with a timestamp at or after {@code timestamp}; empty if none.
     *
     * @param segments the segments from the one holding {@code startOffset} on, oldest first
     */
    public static Optional<TimestampAndOffset> offsetForTimestamp(Collection<LogSegment> segments, long timestamp,
                                                                  long startOffset) {
        long nanos = System.nanoTime();
        for (LogSegment segment : segments) {
            if (segment.maxTimestampSoFar() < timestamp || !segment.acquire(nanos)) {
                continue;
            }
            try {
                BatchHeader header = segment.findBatchByTimestamp(timestamp, startOffset);
                if (header == null) {
                    continue;
                }
                for (Record record : decode(segment, header)) {
                    if (record.timestamp() >= timestamp && record.offset() >= startOffset) {
                        return Optional.of(new TimestampAndOffset(record.timestamp(), record.offset(),
                                header.partitionLeaderEpoch()));
                    }
                }
            } finally {
                segment.release();
            }
        }
        return Optional.empty();
    }

    /** The first record holding the largest timestamp of the segments; empty if none has a timestamp. */
    public static Optional<TimestampAndOffset> maxTimestampAndOffset(Collection<LogSegment> segments) {
        LogSegment best = null;
        for (LogSegment segment : segments) {
            if (segment.maxTimestampSoFar() >= 0 && (best == null
                    || segment.maxTimestampSoFar() > best.maxTimestampSoFar())) {
                best = segment;
            }
        }
        if (best == null || !best.acquire(System.nanoTime())) {
            return Optional.empty();
        }
        try {
            long maxTimestamp = best.maxTimestampSoFar();
            BatchHeader header = best.findBatch(best.offsetOfMaxTimestampSoFar(), best.sizeBytes());
            if (header == null) {
                return Optional.empty();
            }
            for (Record record : decode(best, header)) {
                if (record.timestamp() == maxTimestamp) {
                    return Optional.of(new TimestampAndOffset(maxTimestamp, record.offset(),
                            header.partitionLeaderEpoch()));
                }
            }
            return Optional.of(new TimestampAndOffset(maxTimestamp, header.lastOffset(), header.partitionLeaderEpoch()));
        } finally {
            best.release();
        }
    }

    private static List<Record> decode(LogSegment segment, BatchHeader header) {
        ByteBuffer bytes = segment.read(header.position(), header.sizeBytes());
        return RecordCodec.decode(new RecordBatch(bytes, 0), DECODED_BYTES_MAX);
    }
}
