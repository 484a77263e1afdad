package io.fjord.storage.internal;

import io.fjord.storage.LogConfig;
import io.fjord.storage.LogCorruptionException;
import io.fjord.storage.StorageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory: finishes or discards interrupted cleaner swaps, removes leftovers, and after an
 * unclean shutdown re-validates every segment from the one holding the recovery point on, truncating a torn or
 * corrupt tail and rebuilding indexes. Data below the recovery point was flushed; corruption found there is
 * reported and fails the open rather than being cut away.
 *
 * <p>Not thread-safe; runs once per log before the log is shared.
 */
public final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /**
     * What loading found.
     *
     * @param firstRecoveredOffset base offset of the first segment recovery rebuilt (its aborted-transaction index
     *                             then needs rebuilding from the markers, as do those of every later segment), or
     *                             {@code Long.MAX_VALUE} when none was
     */
    public record Loaded(NavigableMap<Long, LogSegment> segments, long logEndOffset, long recoveryPoint,
                         long truncatedBytes, long firstRecoveredOffset) {
    }

    private LogLoader() {
    }

    public static Loaded load(Path directory, LogConfig config, long recoveryPointCheckpoint, boolean cleanShutdown,
                              SegmentHandleCache handleCache, long logStartOffset, long nowMs) {
        Set<Long> swappedIn;
        try {
            Files.createDirectories(directory);
            removeLeftovers(directory);
            swappedIn = completeSwaps(directory);
        } catch (IOException e) {
            throw new StorageException("cannot prepare " + directory, e);
        }
        NavigableMap<Long, LogSegment> segments = new TreeMap<>();
        for (long baseOffset : segmentBaseOffsets(directory)) {
            segments.put(baseOffset, LogSegment.existing(directory, baseOffset, config.segmentIndexBytes(), handleCache));
        }
        if (segments.isEmpty()) {
            long base = Math.max(0, logStartOffset);
            segments.put(base, LogSegment.create(directory, base, config.segmentIndexBytes(), 0, handleCache, nowMs));
            return new Loaded(segments, base, base, 0, Long.MAX_VALUE);
        }
        long recoveryPoint = recoveryPointCheckpoint;
        long truncatedBytes = 0;
        Long firstToRecover = cleanShutdown ? null : segments.floorKey(Math.max(recoveryPoint, segments.firstKey()));
        List<Long> bases = new ArrayList<>(segments.keySet());
        long logEndOffset = -1;
        long firstRecoveredOffset = Long.MAX_VALUE;
        for (int index = 0; index < bases.size(); index++) {
            long base = bases.get(index);
            LogSegment segment = segments.get(base);
            // A segment just swapped in lost its indexes (only the log file is swapped): rebuild them.
            boolean recover = (firstToRecover != null && base >= firstToRecover) || swappedIn.contains(base);
            if (!recover && (!Files.exists(SegmentFiles.offsetIndex(directory, base))
                    || !Files.exists(SegmentFiles.timeIndex(directory, base)))) {
                LOG.warn("Rebuilding the indexes of {}: an index file is missing", segment.logFile());
                recover = true;
            }
            if (!recover && !segment.loadCleanState()) {
                LOG.warn("Rebuilding the indexes of {}: they fail their sanity check", segment.logFile());
                recover = true;
            }
            long nextOffset;
            if (recover) {
                firstRecoveredOffset = Math.min(firstRecoveredOffset, base);
                LogSegment.RecoveryResult result = segment.recover(base, config.indexIntervalBytes(), recoveryPoint);
                nextOffset = result.nextOffset();
                if (result.truncatedBytes() > 0) {
                    LOG.warn("Truncated {} bytes of a torn or corrupt tail from {} at position {}: {}",
                            result.truncatedBytes(), segment.logFile(), result.validBytes(), result.problem());
                    truncatedBytes += result.truncatedBytes();
                }
            } else {
                nextOffset = index == bases.size() - 1 ? segment.readNextOffset() : bases.get(index + 1);
            }
            boolean last = index == bases.size() - 1;
            if (!last) {
                long nextBase = bases.get(index + 1);
                boolean gap = nextOffset != nextBase;
                if (gap || (recover && segment.sizeBytes() == 0)) {
                    if (nextOffset < recoveryPoint && !cleanShutdown) {
                        throw new LogCorruptionException("Segment " + segment.logFile() + " ends at offset "
                                + nextOffset + " but the next segment starts at " + nextBase
                                + ", below the recovery point " + recoveryPoint);
                    }
                    truncatedBytes += deleteFrom(segments, bases.subList(index + 1, bases.size()));
                    logEndOffset = nextOffset;
                    break;
                }
            }
            logEndOffset = nextOffset;
            if (index < bases.size() - 1) {
                // Loading opened this segment outside the handle cache; close it so that start-up holds at most
                // one inactive segment open per log and reads reopen it through the cache's bound. A recovered
                // segment first gets its rebuilt indexes trimmed, as at a roll.
                if (recover) {
                    segment.onBecomeInactive();
                }
                segment.closeIfUnused();
            }
        }
        LogSegment active = segments.lastEntry().getValue();
        active.onBecomeActive();
        if (cleanShutdown) {
            recoveryPoint = logEndOffset;
        }
        recoveryPoint = Math.min(recoveryPoint, logEndOffset);
        return new Loaded(segments, logEndOffset, recoveryPoint, truncatedBytes, firstRecoveredOffset);
    }

    private static long deleteFrom(Map<Long, LogSegment> segments, List<Long> bases) {
        long bytes = 0;
        for (long base : List.copyOf(bases)) {
            LogSegment segment = segments.remove(base);
            bytes += segment.sizeBytes();
            LOG.warn("Deleting segment {} that follows a torn tail", segment.logFile());
            segment.deleteFiles();
        }
        return bytes;
    }

    private static List<Long> segmentBaseOffsets(Path directory) {
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(SegmentFiles.LOG_SUFFIX)) {
                    long base = SegmentFiles.baseOffsetOf(name);
                    if (base >= 0) {
                        bases.add(base);
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + directory, e);
        }
        bases.sort(Long::compare);
        return bases;
    }

    /** Deletes files a crash left half-done (cleaner output, delayed deletes) and indexes without a segment. */
    private static void removeLeftovers(Path directory) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean leftover = name.endsWith(SegmentFiles.CLEANED_SUFFIX) || name.endsWith(SegmentFiles.DELETED_SUFFIX);
                boolean orphanIndex = (name.endsWith(SegmentFiles.OFFSET_INDEX_SUFFIX)
                        || name.endsWith(SegmentFiles.TIME_INDEX_SUFFIX) || name.endsWith(TransactionIndex.SUFFIX))
                        && SegmentFiles.baseOffsetOf(name) >= 0
                        && !Files.exists(SegmentFiles.log(directory, SegmentFiles.baseOffsetOf(name)))
                        && !Files.exists(directory.resolve(SegmentFiles.baseName(SegmentFiles.baseOffsetOf(name))
                                + SegmentFiles.LOG_SUFFIX + SegmentFiles.SWAP_SUFFIX));
                if (leftover || orphanIndex) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * A swap file is a complete cleaned segment that replaces every segment whose base offset lies in its range.
     * Finishing the swap is idempotent: delete the replaced segments, then rename the swap file into place.
     */
    private static Set<Long> completeSwaps(Path directory) throws IOException {
        Set<Long> swappedIn = new HashSet<>();
        List<Path> swaps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory,
                "*" + SegmentFiles.LOG_SUFFIX + SegmentFiles.SWAP_SUFFIX)) {
            files.forEach(swaps::add);
        }
        swaps.sort(null);
        for (Path swap : swaps) {
            String name = swap.getFileName().toString();
            long base = SegmentFiles.baseOffsetOf(name);
            long lastOffset = SwapFiles.lastOffset(swap);
            for (long existing : segmentBaseOffsets(directory)) {
                if (existing >= base && existing <= lastOffset) {
                    Files.deleteIfExists(SegmentFiles.log(directory, existing));
                    Files.deleteIfExists(SegmentFiles.offsetIndex(directory, existing));
                    Files.deleteIfExists(SegmentFiles.timeIndex(directory, existing));
                    Files.deleteIfExists(TransactionIndex.file(directory, existing));
                }
            }
            Files.deleteIfExists(SegmentFiles.offsetIndex(directory, base));
            Files.deleteIfExists(SegmentFiles.timeIndex(directory, base));
            Files.deleteIfExists(TransactionIndex.file(directory, base));
            Files.move(swap, SegmentFiles.log(directory, base), StandardCopyOption.ATOMIC_MOVE);
            swappedIn.add(base);
            LOG.info("Completed an interrupted cleaner swap into {}", SegmentFiles.log(directory, base));
        }
        // Index swap files are not needed: indexes of swapped-in segments are rebuilt (the aborted-transaction index
        // by the producer-state replay, from the markers).
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SegmentFiles.SWAP_SUFFIX)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
        return swappedIn;
    }
}
