package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.commitAll;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.copyDirectory;
import static io.fjord.storage.CompactedLogFixture.fileNames;
import static io.fjord.storage.CompactedLogFixture.latest;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.CompactedLogFixture.KeyedRecord;
import io.fjord.storage.internal.SegmentFiles;
import io.fjord.storage.internal.cleaner.CleaningSteps;
import io.fjord.storage.internal.cleaner.CleaningSteps.Step;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes a clean at each step of its swap: the partition directory is copied as the step leaves it (what a crash
 * there would leave on disk, everything before having been fsync'd), optionally damaged further, then opened with
 * recovery; the log must be complete.
 */
class LogCleanerCrashTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    private record Snapshot(int index, Step step, Path directory) {
    }

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @Test
    void recoversACompleteLogAfterACrashAtEveryStepOfEverySwap() throws IOException {
        LogConfig config = compactConfig().with(LogConfig.SEGMENT_BYTES, 1500);
        PartitionLog log = CompactedLogFixture.open(root.resolve("live").resolve("orders-0"), config, clock,
                background, true, 0);
        for (int round = 0; round < 6; round++) {
            for (int key = 0; key < 8; key++) {
                append(log, clock.millis(), "k" + key, round == 5 && key % 3 == 0 ? null : "v" + round + "-" + key);
                if (key % 5 == 4) {
                    log.roll();
                }
            }
        }
        log.roll();
        append(log, clock.millis(), "k1", "active");
        commitAll(log);
        Map<String, String> expected = latest(readAll(log));
        long logEnd = log.logEndOffset();
        List<Snapshot> snapshots = new ArrayList<>();
        CleaningSteps steps = (step, directory) -> {
            int index = snapshots.size();
            Path copy = root.resolve("crash-" + index + "-" + step).resolve(directory.getFileName());
            copyDirectory(directory, copy);
            snapshots.add(new Snapshot(index, step, copy));
        };
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.defaults(), () -> List.of(log), clock, steps);

        CleaningResult result = cleaner.clean(log).orElseThrow();

        assertThat(result.groupsSwapped()).isGreaterThanOrEqualTo(2);
        assertThat(snapshots).hasSize(4 * result.groupsSwapped());
        assertThat(snapshots).extracting(Snapshot::step).containsSequence(Step.CLEANED_WRITTEN, Step.SWAP_RENAMED,
                Step.OLD_SEGMENTS_REPLACED, Step.SWAP_COMPLETED);
        assertThat(latest(readAll(log))).isEqualTo(expected);
        log.close();

        int checked = 0;
        for (Snapshot snapshot : snapshots) {
            assertThat(fileNames(snapshot.directory())).as("snapshot %s", snapshot).anySatisfy(name ->
                    assertThat(name).endsWith(switch (snapshot.step()) {
                        case CLEANED_WRITTEN -> SegmentFiles.CLEANED_SUFFIX;
                        case SWAP_RENAMED, OLD_SEGMENTS_REPLACED -> SegmentFiles.SWAP_SUFFIX;
                        case SWAP_COMPLETED -> SegmentFiles.LOG_SUFFIX;
                    }));
            for (Damage damage : Damage.values()) {
                for (long recoveryPoint : new long[] {0, logEnd}) {
                    Path copy = root.resolve("check-" + checked++).resolve("orders-0");
                    copyDirectory(snapshot.directory(), copy);
                    if (!damage.apply(copy)) {
                        continue;
                    }
                    assertRecovers(copy, config, recoveryPoint, expected, logEnd,
                            snapshot + " with " + damage + " from recovery point " + recoveryPoint);
                }
            }
        }
        assertThat(checked).isGreaterThan(snapshots.size() * 2);
    }

    private void assertRecovers(Path directory, LogConfig config, long recoveryPoint, Map<String, String> expected,
                                long logEnd, String description) {
        PartitionLog reopened = CompactedLogFixture.open(directory, config, clock, background, false, recoveryPoint);
        try {
            List<KeyedRecord> records = readAll(reopened);
            assertThat(latest(records)).as(description).isEqualTo(expected);
            assertThat(reopened.logEndOffset()).as(description).isEqualTo(logEnd);
            assertThat(fileNames(directory)).as(description).noneMatch(name -> name.endsWith(SegmentFiles.SWAP_SUFFIX)
                    || name.endsWith(SegmentFiles.CLEANED_SUFFIX) || name.endsWith(SegmentFiles.DELETED_SUFFIX));
            // The log still works: append, reopen cleanly, read again.
            append(reopened, clock.millis(), "after", "crash");
            reopened.close();
            PartitionLog again = CompactedLogFixture.open(directory, config, clock, background, true, 0);
            assertThat(latest(readAll(again))).as(description).containsEntry("after", "crash")
                    .containsAllEntriesOf(expected);
            again.close();
        } finally {
            if (!reopened.isClosed()) {
                reopened.closeAbruptly();
            }
        }
    }

    /** Further damage a crash may add to a snapshot. */
    private enum Damage {
        NONE(directory -> { }),
        /** The cleaned output was only partly written. */
        TORN_CLEANED_OUTPUT(directory -> forEachLogWithSuffix(directory, SegmentFiles.CLEANED_SUFFIX,
                file -> truncate(file, size(file) / 2))),
        /** Recovery had begun to complete the swap and deleted the replaced segments after the first. */
        LATER_REPLACED_SEGMENTS_DELETED(directory -> deleteReplaced(directory, false)),
        /** Recovery had deleted every replaced segment but not yet renamed the swap file. */
        ALL_REPLACED_SEGMENTS_DELETED(directory -> deleteReplaced(directory, true)),
        /** The delayed deletion of the replaced segments had already run. */
        DELETED_FILES_REMOVED(directory -> forEachLogWithSuffix(directory, SegmentFiles.DELETED_SUFFIX,
                CrashFiles::delete));

        private final Consumer<Path> action;

        Damage(Consumer<Path> action) {
            this.action = action;
        }

        /** Applies the damage; false if it does not apply to this snapshot. */
        boolean apply(Path directory) {
            List<String> before = fileNames(directory);
            action.accept(directory);
            return this == NONE || !before.equals(fileNames(directory));
        }
    }

    private static void deleteReplaced(Path directory, boolean includingFirst) {
        for (String name : fileNames(directory)) {
            if (!name.endsWith(SegmentFiles.LOG_SUFFIX + SegmentFiles.SWAP_SUFFIX)) {
                continue;
            }
            Path swap = directory.resolve(name);
            long base = SegmentFiles.baseOffsetOf(name);
            long last = -1;
            for (RecordBatch batch : RecordBatches.of(read(swap))) {
                last = batch.lastOffset();
            }
            for (String other : fileNames(directory)) {
                long otherBase = SegmentFiles.baseOffsetOf(other);
                boolean replaced = otherBase >= base && otherBase <= last && (includingFirst || otherBase > base);
                if (replaced && (other.endsWith(SegmentFiles.LOG_SUFFIX) || other.endsWith(SegmentFiles.OFFSET_INDEX_SUFFIX)
                        || other.endsWith(SegmentFiles.TIME_INDEX_SUFFIX))) {
                    CrashFiles.delete(directory.resolve(other));
                }
            }
        }
    }

    private static void forEachLogWithSuffix(Path directory, String suffix, Consumer<Path> action) {
        for (String name : fileNames(directory)) {
            if (name.endsWith(suffix)) {
                action.accept(directory.resolve(name));
            }
        }
    }

    private static ByteBuffer read(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void truncate(Path file, long length) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** File deletion for the damage lambdas. */
    private static final class CrashFiles {
        static void delete(Path file) {
            try {
                Files.delete(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
