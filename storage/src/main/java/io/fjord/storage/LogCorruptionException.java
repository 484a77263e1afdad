package io.fjord.storage;

/**
 * Data the log had already made durable, or is about to serve, fails its checks. Never skipped silently: the
 * partition refuses to serve the damaged range and the message names the file and position. Thread-safe.
 */
public final class LogCorruptionException extends StorageException {
    private static final long serialVersionUID = 1L;

    public LogCorruptionException(String message) {
        super(message);
    }
}
