package io.fjord.metadata.quota;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the name of an {@code ip} quota entity as an address literal, never resolving a host name: a dotted IPv4
 * address, or an IPv6 address (with a colon, which Java parses without a lookup). Stateless.
 */
public final class IpLiterals {
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private IpLiterals() {
    }

    /** The address {@code name} spells; empty when it is not an address literal. */
    public static Optional<InetAddress> parse(String name) {
        if (name == null || !(IPV4.matcher(name).matches() || name.indexOf(':') >= 0)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(name));
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }
}
