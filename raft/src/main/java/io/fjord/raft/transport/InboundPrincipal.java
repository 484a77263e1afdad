package io.fjord.raft.transport;

import java.net.SocketAddress;

/**
 * Who sent the requests of one connection accepted by a controller listener, for authorization: the SASL user on a
 * SASL listener, the certificate's name mapped by {@code ssl.principal.mapping.rules} on an SSL one, else
 * {@code ANONYMOUS} (Kafka's principal type is always {@code User} here).
 *
 * @param user the principal's name (of type {@code User})
 * @param remoteAddress where the connection comes from (the ACLs' host)
 *
 * <p>Immutable; thread-safe.
 */
public record InboundPrincipal(String user, SocketAddress remoteAddress) {
    public static final String ANONYMOUS = "ANONYMOUS";

    public InboundPrincipal {
        java.util.Objects.requireNonNull(user, "user");
    }
}
