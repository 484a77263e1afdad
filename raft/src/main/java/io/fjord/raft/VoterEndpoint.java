package io.fjord.raft;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One listener of a voter (KIP-853's VotersRecord Endpoint): its listener name, host and port, where the other
 * replicas reach it. Immutable; thread-safe.
 */
public record VoterEndpoint(String listenerName, String host, int port) {
    /** The longest listener name or host, in UTF-8 bytes (a bound on what a decoded record may allocate). */
    public static final int TEXT_BYTES_MAX = 1024;

    public VoterEndpoint {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(host, "host");
        if (listenerName.isEmpty() || listenerName.getBytes(StandardCharsets.UTF_8).length > TEXT_BYTES_MAX) {
            throw new IllegalArgumentException("a listener name of 1 to " + TEXT_BYTES_MAX + " bytes: " + listenerName);
        }
        if (host.isEmpty() || host.getBytes(StandardCharsets.UTF_8).length > TEXT_BYTES_MAX) {
            throw new IllegalArgumentException("a host of 1 to " + TEXT_BYTES_MAX + " bytes: " + host);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    @Override
    public String toString() {
        return listenerName + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
