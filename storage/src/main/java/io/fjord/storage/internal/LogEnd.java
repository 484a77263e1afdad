package io.fjord.storage.internal;

/**
 * The end of a log as readers may see it: the next offset, the active segment and its size at that offset.
 * Published as one volatile reference after each append so readers get a consistent triple. Immutable.
 */
public record LogEnd(long offset, LogSegment segment, int segmentSizeBytes) {
}
