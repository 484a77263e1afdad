package io.fjord.storage.internal.cleaner;

import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.CleaningResult;
import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.LogSegment;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clean of one log: maps the dirty section's keys to their latest offsets, then rewrites the segments from the
 * log start up to where the map reached, group by group, keeping the latest value of each key.
 *
 * <p>Not thread-safe: each cleaner thread owns one, with its offset map.
 */
public final class Cleaner {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    private final OffsetMap map;
    private final int writeBufferBytes;
    private final InstantSource clock;
    private final CleaningSteps steps;

    public Cleaner(OffsetMap map, int writeBufferBytes, InstantSource clock, CleaningSteps steps) {
        this.map = map;
        this.writeBufferBytes = writeBufferBytes;
        this.clock = clock;
        this.steps = steps;
    }

    /**
     * Cleans {@code range}. The new first dirty offset for the cleaner checkpoint is the result's end offset.
     *
     * @param shouldAbort polled between batches; when true the clean stops with {@link CleaningAbortedException}
     *                    and leaves the log as it was (groups already swapped in stay, they are complete)
     * @throws IllegalStateException when the offset map cannot hold even the first dirty batch
     */
    public CleaningResult clean(CleanableRange range, BooleanSupplier shouldAbort) {
        PartitionLog log = range.log();
        LogConfig config = log.config();
        long nowMs = clock.millis();
        Runnable abortCheck = () -> {
            if (shouldAbort.getAsBoolean()) {
                throw new CleaningAbortedException("the clean of " + log.topicPartition() + " was aborted");
            }
        };
        OffsetMapBuilder builder = new OffsetMapBuilder(abortCheck);
        long mappedEnd = builder.build(range, map);
        if (mappedEnd <= range.firstDirtyOffset()) {
            throw new IllegalStateException("the offset map of " + map.capacity() + " entries cannot hold the batch at "
                    + range.firstDirtyOffset() + " of " + log.topicPartition()
                    + "; raise log.cleaner.dedupe.buffer.size");
        }
        List<LogSegment> toClean = new ArrayList<>();
        List<Long> nextBases = new ArrayList<>();
        log.withLock(() -> {
            List<LogSegment> current = new ArrayList<>(log.segments());
            for (int index = 0; index + 1 < current.size(); index++) {
                LogSegment segment = current.get(index);
                if (segment == log.activeSegment() || segment.baseOffset() >= mappedEnd) {
                    break;
                }
                toClean.add(segment);
                nextBases.add(current.get(index + 1).baseOffset());
            }
            return null;
        });
        BatchFilter filter = new BatchFilter(map, mappedEnd, nowMs, config.deleteRetentionMs());
        GroupRewriter rewriter = new GroupRewriter(config, writeBufferBytes, steps, abortCheck, nowMs);
        int groups = 0;
        List<SegmentGroup> uncleaned = new ArrayList<>();
        for (SegmentGroup group : SegmentGrouper.group(toClean, nextBases, config.segmentBytes(),
                config.segmentIndexBytes())) {
            groups += rewriteSplittingIfNeeded(log, group, filter, rewriter, uncleaned);
        }
        CleaningResult result = new CleaningResult(log.topicPartition(), range.firstDirtyOffset(), mappedEnd,
                toClean.size(), groups, builder.bytesRead() + rewriter.bytesRead(), rewriter.bytesWritten(),
                filter.recordsRead(), filter.recordsRetained());
        LOG.info("Cleaned {}: {}", log.topicPartition(), result);
        return result;
    }

    /**
     * Rewrites {@code group}, in halves if its output does not fit one segment's indexes; a single segment that
     * does not fit is left as it is and added to {@code uncleaned}: an aborted transaction with data there keeps its
     * marker and index entry in later groups.
     */
    private int rewriteSplittingIfNeeded(PartitionLog log, SegmentGroup group, BatchFilter filter,
                                         GroupRewriter rewriter, List<SegmentGroup> uncleaned) {
        try {
            rewriter.rewrite(log, group, filter, aborted -> overlapsAny(aborted, uncleaned));
            return 1;
        } catch (GroupTooLargeException e) {
            if (group.segments().size() == 1) {
                LOG.warn("Leaving {} of {} uncleaned: {}", group.segments().get(0), log.topicPartition(),
                        e.getMessage());
                uncleaned.add(group);
                return 0;
            }
            int done = 0;
            for (SegmentGroup half : group.split()) {
                done += rewriteSplittingIfNeeded(log, half, filter, rewriter, uncleaned);
            }
            return done;
        }
    }

    private static boolean overlapsAny(AbortedTransaction aborted, List<SegmentGroup> groups) {
        for (SegmentGroup group : groups) {
            if (aborted.firstOffset() < group.nextBaseOffset() && aborted.lastOffset() >= group.baseOffset()) {
                return true;
            }
        }
        return false;
    }
}
