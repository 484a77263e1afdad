package io.fjord.broker.network;

/**
 * A listener: its name (as in {@code listeners=PLAINTEXT://host:port}), host and port. Port 0 binds any free port.
 * Immutable.
 */
public record Endpoint(String listenerName, String host, int port) {
    /** Parses {@code NAME://host:port}; an empty host means all interfaces. */
    public static Endpoint parse(String text) {
        int separator = text.indexOf("://");
        int colon = text.lastIndexOf(':');
        if (separator <= 0 || colon <= separator + 2) {
            throw new IllegalArgumentException("listener '" + text + "' is not of the form NAME://host:port");
        }
        String host = text.substring(separator + 3, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listener '" + text + "' has no valid port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listener '" + text + "' has port out of range");
        }
        return new Endpoint(text.substring(0, separator), host, port);
    }

    @Override
    public String toString() {
        return listenerName + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
