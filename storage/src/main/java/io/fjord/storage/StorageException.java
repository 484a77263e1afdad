package io.fjord.storage;

/**
 * The disk failed us (an IO error, a file that cannot be opened); Kafka answers KAFKA_STORAGE_ERROR. Thread-safe.
 */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
