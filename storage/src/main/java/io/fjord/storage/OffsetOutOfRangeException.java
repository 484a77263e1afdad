package io.fjord.storage;

/** A read asked for an offset outside [log start offset, log end offset]; Kafka answers OFFSET_OUT_OF_RANGE. */
public final class OffsetOutOfRangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OffsetOutOfRangeException(String message) {
        super(message);
    }
}
