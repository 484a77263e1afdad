package io.fjord.broker.network;

/**
 * A listener that cannot be bound (address in use, host not local or not resolvable); the message is one line naming
 * the listener and the address. Immutable.
 */
public final class ListenerBindException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ListenerBindException(String message, Throwable cause) {
        super(message, cause);
    }
}
