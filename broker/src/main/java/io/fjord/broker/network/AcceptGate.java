package io.fjord.broker.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Applies the {@link ConnectionQuotas} to the connections one listener accepts, as Kafka's acceptor does: it sits on
 * the listener's server channels, before Netty hands an accepted connection on, and holds the connection back
 * (reading no further ones: the server channels stop reading, so later clients wait in the kernel's backlog) while
 * the creation rates throttle it or the listener or broker has its maximum of connections open. A connection over its
 * address's creation rate quota is closed after the throttle time; one whose address has its maximum open is closed
 * at once, logged once per address and period. A connection it serves past the broker-wide maximum (the inter-broker
 * listener's) has the {@link ConnectionEvictor} close the least recently used connection of another listener.
 *
 * <p>Not thread-safe: shared by the listener's server channels, which are all on the one acceptor event loop; every
 * method runs there.
 */
@ChannelHandler.Sharable
final class AcceptGate extends ChannelInboundHandlerAdapter {
    /** Connections held at once (waiting, or closing after an address throttle); more are closed at once. */
    static final int HELD_CONNECTIONS_MAX = 1_024;

    /** A connection held back, with when its creation-rate throttle ends (set once it was counted). */
    private static final class Waiting {
        final Channel channel;
        final ChannelHandlerContext context;
        boolean recorded;
        long readyAtMs;

        Waiting(Channel channel, ChannelHandlerContext context) {
            this.channel = channel;
            this.context = context;
        }
    }

    private final String listenerName;
    private final ConnectionQuotas quotas;
    private final ConnectionEvictor evictor;
    private final ConnectionLog log;
    private final LongSupplier clockMs;
    private final LongSupplier nanoClock;
    /** Tells every listener's gate that a connection closed (a slot may be free). */
    private final Runnable connectionClosed;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final Set<Channel> serverChannels = new LinkedHashSet<>();
    private final Set<Channel> closingLater = new LinkedHashSet<>();
    private EventLoop eventLoop;
    private boolean wakeUpScheduled;

    /**
     * @param nanoClock        the connections' activity clock (for the least recently used one)
     * @param connectionClosed told that a connection closed, to wake every gate sharing the quotas; null when this
     *                         gate is the only one
     */
    AcceptGate(String listenerName, ConnectionQuotas quotas, ConnectionEvictor evictor, ConnectionLog log,
               LongSupplier clockMs, LongSupplier nanoClock, Runnable connectionClosed) {
        this.listenerName = listenerName;
        this.quotas = quotas;
        this.evictor = evictor;
        this.nanoClock = nanoClock;
        this.log = log;
        this.clockMs = clockMs;
        this.connectionClosed = connectionClosed != null ? connectionClosed : this::admitWaiting;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        serverChannels.add(context.channel());
        eventLoop = context.channel().eventLoop();
        context.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        serverChannels.remove(context.channel());
        if (serverChannels.isEmpty()) {
            // The listener stopped (shutdown): nothing held will be served.
            waiting.forEach(held -> held.channel.unsafe().closeForcibly());
            waiting.clear();
            closingLater.forEach(held -> held.unsafe().closeForcibly());
            closingLater.clear();
        }
        context.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (!(message instanceof Channel accepted)) {
            context.fireChannelRead(message);
            return;
        }
        eventLoop = context.channel().eventLoop();
        if (waiting.size() + closingLater.size() >= HELD_CONNECTIONS_MAX) {
            log.warn(ConnectionLog.Cause.MAX_CONNECTIONS, accepted.remoteAddress(),
                    "Closing connection from {} on listener {}: {} connections are already held back",
                    accepted.remoteAddress(), listenerName, HELD_CONNECTIONS_MAX);
            accepted.unsafe().closeForcibly();
            return;
        }
        waiting.add(new Waiting(accepted, context));
        admitWaiting();
    }

    /** Serves held connections in order while the quotas allow; a connection closed anywhere calls this too. */
    void admitWaiting() {
        while (!waiting.isEmpty()) {
            Waiting head = waiting.peek();
            long nowMs = clockMs.getAsLong();
            if (!head.recorded) {
                head.recorded = true;
                head.readyAtMs = nowMs + quotas.recordListenerConnection(listenerName, nowMs);
            }
            if (nowMs < head.readyAtMs) {
                pause();
                scheduleWakeUp(head.readyAtMs - nowMs);
                return;
            }
            if (!quotas.slotAvailable(listenerName)) {
                pause(); // until a connection closes
                return;
            }
            waiting.poll();
            admitAddress(head, nowMs);
        }
        resume();
    }

    private void admitAddress(Waiting held, long nowMs) {
        InetAddress address = ((InetSocketAddress) held.channel.remoteAddress()).getAddress();
        long throttleMs = quotas.recordIpConnection(address, nowMs);
        if (throttleMs > 0) {
            // Kafka's DelayedCloseSocket: the client learns of the quota only by the close, after the throttle time.
            closingLater.add(held.channel);
            eventLoop.schedule(() -> {
                if (closingLater.remove(held.channel)) {
                    held.channel.unsafe().closeForcibly();
                }
            }, throttleMs, TimeUnit.MILLISECONDS);
            return;
        }
        int maximum = quotas.admit(listenerName, address);
        if (maximum >= 0) {
            log.info(ConnectionLog.Cause.MAX_CONNECTIONS_PER_IP, held.channel.remoteAddress(),
                    "Rejected connection from {}, address already has the configured maximum of {} connections",
                    address.getHostAddress(), maximum);
            held.channel.unsafe().closeForcibly();
            return;
        }
        ConnectionActivity activity = new ConnectionActivity(nanoClock);
        // First in the pipeline until the initializer puts TLS before it: it sees every read and write.
        held.channel.pipeline().addFirst("activity", activity);
        evictor.opened(held.channel, listenerName, activity);
        held.channel.closeFuture().addListener(closed -> {
            try {
                eventLoop.execute(() -> {
                    evictor.closed(held.channel);
                    quotas.release(listenerName, address);
                    connectionClosed.run();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The acceptor stopped (shutdown): nothing is counted any more.
            }
        });
        held.context.fireChannelRead(held.channel);
        // An inter-broker connection past the broker-wide maximum makes room (KIP-402).
        evictor.evictExcess();
    }

    private void scheduleWakeUp(long delayMs) {
        if (wakeUpScheduled) {
            return;
        }
        wakeUpScheduled = true;
        eventLoop.schedule(() -> {
            wakeUpScheduled = false;
            admitWaiting();
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    private void pause() {
        setAutoRead(false);
    }

    private void resume() {
        setAutoRead(true);
    }

    private void setAutoRead(boolean autoRead) {
        List<Channel> channels = new ArrayList<>(serverChannels);
        for (Channel channel : channels) {
            if (channel.config().isAutoRead() != autoRead) {
                channel.config().setAutoRead(autoRead);
            }
        }
    }

    String listenerName() {
        return listenerName;
    }

    /** Connections held back now (waiting to be served, or to be closed after an address throttle). */
    int heldCount() {
        return waiting.size() + closingLater.size();
    }
}
