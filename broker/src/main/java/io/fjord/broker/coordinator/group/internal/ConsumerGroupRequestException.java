package io.fjord.broker.coordinator.group.internal;

import io.fjord.protocol.Errors;

/**
 * A KIP-848 request refused before it changed anything: the error code and message go back to the client. Thrown
 * only while validating, never after a record was appended. Immutable.
 */
final class ConsumerGroupRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errors error;

    ConsumerGroupRequestException(Errors error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    Errors error() {
        return error;
    }
}
