package io.fjord.broker.controller;

import io.fjord.protocol.Errors;

/**
 * A forwarded request that got no answer from the active controller: its deadline passed (REQUEST_TIMED_OUT, as
 * Kafka answers a forwarded request that times out), the controller listener serves no version of its API
 * (UNSUPPORTED_VERSION), or the channel is closed or full. {@link ControllerFailures} turns it into the API's error
 * response with {@link #error()} for every topic or resource.
 *
 * <p>Immutable; thread-safe.
 */
public final class ForwardingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errors error;

    public ForwardingException(Errors error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public Errors error() {
        return error;
    }
}
