package io.fjord.storage;

/**
 * What one clean of one log did. Immutable and thread-safe.
 *
 * @param firstDirtyOffset  where the dirty section started
 * @param endOffset         the new first dirty offset: every key below it was deduplicated
 * @param segmentsCleaned   segments rewritten
 * @param groupsSwapped     cleaned segments swapped in (each replaces a group of segments)
 * @param bytesRead         bytes read, for the offset map and the rewrite
 * @param bytesWritten      bytes of cleaned segments written
 * @param recordsRead       records decoded during the rewrite
 * @param recordsRetained   of those, records kept
 */
public record CleaningResult(TopicPartition topicPartition, long firstDirtyOffset, long endOffset,
                             int segmentsCleaned, int groupsSwapped, long bytesRead, long bytesWritten,
                             long recordsRead, long recordsRetained) {
}
