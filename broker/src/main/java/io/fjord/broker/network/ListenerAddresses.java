package io.fjord.broker.network;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The addresses a listener binds: every address its host name resolves to (so {@code localhost} answers on both
 * 127.0.0.1 and ::1 where it names both, whichever a client tries first), the literal address, or the wildcard for an
 * empty host. Stateless.
 */
public final class ListenerAddresses {
    private ListenerAddresses() {
    }

    /**
     * @throws ListenerBindException naming the listener when its host does not resolve
     */
    public static List<InetAddress> resolve(Endpoint endpoint) {
        if (endpoint.host().isEmpty()) {
            return List.of(new InetSocketAddress(0).getAddress());
        }
        try {
            return List.copyOf(new LinkedHashSet<>(List.of(InetAddress.getAllByName(endpoint.host()))));
        } catch (UnknownHostException e) {
            throw new ListenerBindException("cannot bind listener " + endpoint + ": host " + endpoint.host()
                    + " does not resolve", e);
        }
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    public static String text(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        if (address.getAddress() instanceof Inet6Address) {
            host = "[" + host.replaceFirst("%.*$", "") + "]";
        }
        return host + ":" + address.getPort();
    }
}
