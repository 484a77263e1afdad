package io.fjord.broker.network;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * When a connection last read or wrote, for choosing the least recently used one to close when the broker has more
 * than {@code max.connections} open (KIP-402; Kafka's selector keeps the same order for its idle expiry).
 *
 * <p>Thread-safe: written by the connection's event loop, read by the acceptor thread (a slightly stale time only
 * reorders connections that were active within the same instant).
 */
final class ConnectionActivity extends ChannelDuplexHandler {
    private final LongSupplier nanoClock;
    private final AtomicLong lastActiveNanos;

    ConnectionActivity(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastActiveNanos = new AtomicLong(nanoClock.getAsLong());
    }

    long lastActiveNanos() {
        return lastActiveNanos.getOpaque();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        touch();
        context.fireChannelRead(message);
    }

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
        touch();
        context.write(message, promise);
    }

    private void touch() {
        // Opaque, not volatile: no fence on the read and write path; the acceptor needs no ordering with it.
        lastActiveNanos.setOpaque(nanoClock.getAsLong());
    }
}
