package io.fjord.storage.internal;

import io.fjord.storage.LogConfig;
import java.util.List;

/** Which leading segments retention may delete. Stateless; pure apart from reading segment sizes and timestamps. */
public final class RetentionSelection {
    private RetentionSelection() {
    }

    /**
     * How many segments from the oldest on retention allows to delete: those below the log start offset, and with
     * {@code cleanup.policy} delete those older than {@code retention.ms} or beyond {@code retention.bytes}. Only
     * segments wholly below the high watermark qualify, and never an empty active segment.
     *
     * @param ordered the log's segments, oldest first; the caller holds the log's append lock
     */
    public static int deletableCount(List<LogSegment> ordered, LogEnd logEnd, long highWatermark, long logStartOffset,
                                     LogConfig settings, long nowMs) {
        long remainingBytes = 0;
        for (LogSegment segment : ordered) {
            remainingBytes += segment.sizeBytes();
        }
        int deletable = 0;
        for (int index = 0; index < ordered.size(); index++) {
            LogSegment segment = ordered.get(index);
            long upperBound = index + 1 < ordered.size() ? ordered.get(index + 1).baseOffset() : logEnd.offset();
            if (upperBound > highWatermark || (segment == logEnd.segment() && segment.sizeBytes() == 0)) {
                break;
            }
            boolean belowStart = upperBound <= logStartOffset;
            boolean expired = settings.delete() && settings.retentionMs() >= 0
                    && nowMs - segment.largestTimestamp() > settings.retentionMs();
            boolean overSize = settings.delete() && settings.retentionBytes() >= 0
                    && remainingBytes - segment.sizeBytes() >= settings.retentionBytes();
            if (!belowStart && !expired && !overSize) {
                break;
            }
            remainingBytes -= segment.sizeBytes();
            deletable++;
        }
        return deletable;
    }
}
