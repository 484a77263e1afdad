package io.fjord.broker.network;

import io.netty.channel.Channel;
import java.util.EnumSet;

/**
 * Turns reading of one connection off while any reason holds (memory exhausted, too many queued requests, the
 * client not draining responses, a quota throttle) and on again when none does. Not thread-safe: used on the
 * connection's event loop.
 */
final class ReadGate {
    enum Reason {
        MEMORY,
        QUEUE,
        WRITES,
        /** A failed authentication's answer is delayed before the connection closes. */
        FAILED_AUTHENTICATION,
        /** A quota was exceeded: the connection is muted for the throttle time (KIP-219). */
        THROTTLE
    }

    private final Channel channel;
    private final EnumSet<Reason> reasons = EnumSet.noneOf(Reason.class);

    ReadGate(Channel channel) {
        this.channel = channel;
    }

    void pause(Reason reason) {
        reasons.add(reason);
        channel.config().setAutoRead(false);
    }

    void resume(Reason reason) {
        if (reasons.remove(reason) && reasons.isEmpty()) {
            channel.config().setAutoRead(true);
            channel.read();
        }
    }

    boolean isPaused(Reason reason) {
        return reasons.contains(reason);
    }
}
