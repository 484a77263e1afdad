package io.fjord.storage.internal;

/**
 * One entry of a leader-epoch cache: the first offset written in a leader epoch. Immutable and thread-safe.
 */
public record EpochEntry(int epoch, long startOffset) {
    public EpochEntry {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("invalid leader epoch entry (" + epoch + ", " + startOffset + ")");
        }
    }
}
