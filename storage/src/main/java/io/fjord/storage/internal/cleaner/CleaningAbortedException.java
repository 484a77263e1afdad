package io.fjord.storage.internal.cleaner;

/** A clean stopped before it changed the log: aborted, shut down, or the log changed under it. Immutable. */
public final class CleaningAbortedException extends RuntimeException {
    public CleaningAbortedException(String message) {
        super(message, null, false, false);
    }
}
