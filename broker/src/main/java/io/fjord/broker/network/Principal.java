package io.fjord.broker.network;

import java.util.Objects;

/**
 * Who a connection authenticated as, Kafka's {@code KafkaPrincipal}: a type ({@code User}) and a name; written
 * {@code User:name}. A connection that proved nothing (plaintext, or TLS without a client certificate) is
 * {@link #ANONYMOUS}. Kept on the connection for authorization. Immutable.
 */
public record Principal(String type, String name) {
    public static final String USER_TYPE = "User";
    public static final Principal ANONYMOUS = new Principal(USER_TYPE, "ANONYMOUS");

    public Principal {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    /** A user principal. */
    public static Principal user(String name) {
        return new Principal(USER_TYPE, name);
    }

    @Override
    public String toString() {
        return type + ":" + name;
    }
}
