package io.fjord.storage.internal.cleaner;

import java.nio.file.Path;

/**
 * Observes the crash-relevant steps of swapping a cleaned segment in, so that tests can capture the partition
 * directory as a crash at that step would leave it. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface CleaningSteps {
    /** Observes nothing. */
    CleaningSteps NONE = (step, directory) -> { };

    /** The steps, in the order they happen for each group of segments. */
    enum Step {
        /** The cleaned output is complete and fsync'd, still named {@code .cleaned}. */
        CLEANED_WRITTEN,
        /** The output was renamed to {@code .swap}; the old segments are untouched. */
        SWAP_RENAMED,
        /** The old segments left the log and were renamed {@code .deleted}; the swap file is not yet renamed. */
        OLD_SEGMENTS_REPLACED,
        /** The swap file was renamed into place. */
        SWAP_COMPLETED
    }

    void reached(Step step, Path partitionDirectory);
}
