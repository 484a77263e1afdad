package io.fjord.bench.cluster;

import java.net.InetSocketAddress;

/** Parses {@code HOST:PORT}. Stateless. */
final class HostPorts {
    private HostPorts() {
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("not HOST:PORT: " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
