package io.fjord.metadata.controller;

/**
 * This node is not the active controller (it does not lead the metadata quorum, or its leadership has not begun
 * yet); Kafka's NOT_CONTROLLER. Immutable; thread-safe.
 */
public final class NotControllerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotControllerException(String message) {
        super(message);
    }
}
