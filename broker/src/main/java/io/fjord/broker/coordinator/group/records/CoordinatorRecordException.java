package io.fjord.broker.coordinator.group.records;

/**
 * A record of {@code __consumer_offsets} that cannot be read or written: truncated, a length past the end, an
 * unknown version. Immutable.
 */
public class CoordinatorRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CoordinatorRecordException(String message) {
        super(message);
    }
}
