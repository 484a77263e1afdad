package io.fjord.raft.transport;

import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.raft.RaftMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound connection of a Raft node to one peer: requests go out on it and their responses come back on it,
 * paired by correlation id. It connects at start and reconnects after a loss with an exponential back-off (Kafka's
 * {@code reconnect.backoff.ms} to {@code reconnect.backoff.max.ms}); while not connected, requests wait in a bounded
 * backlog (a vote request at failover must not be lost to a connection still being made). Requests in flight when
 * the connection drops are forgotten: the core sends again when they time out. A response that does not decode
 * closes the connection with a logged reason. On a SASL controller listener ({@link TransportConfig#sasl()}) a
 * new connection first logs in ({@link PeerAuthenticator}) and is used only then; it ends before its session does.
 *
 * <p>Thread-safe: {@link #send} from any thread; connection events on the event loop; state under this object's lock.
 */
final class PeerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);

    private final RaftTransport transport;
    private final int peerId;
    private final InetSocketAddress address;
    private final EventLoopGroup group;
    private final TransportConfig config;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final ArrayDeque<ByteBuffer> backlog = new ArrayDeque<>();
    private Channel channel;
    private long backoffMs;
    private boolean closed;

    PeerConnection(RaftTransport transport, int peerId, InetSocketAddress address, EventLoopGroup group,
            TransportConfig config) {
        this.transport = transport;
        this.peerId = peerId;
        this.address = address;
        this.group = group;
        this.config = config;
        this.backoffMs = config.reconnectBackoffMs();
    }

    private int localId() {
        return transport.localId();
    }

    void connect() {
        TransportSasl sasl = config.sasl();
        PeerAuthenticator authenticator = sasl == null ? null : new PeerAuthenticator(sasl.outbound().get(),
                "Raft peer " + peerId + " at " + address, this::onAuthenticated);
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT) // as the broker's listeners
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1000, config.reconnectBackoffMaxMs()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel socket) {
                        config.channelSecurity().secureConnecting(socket, address.getHostString(), address.getPort());
                        socket.pipeline().addLast(new FrameDecoder(config.frameBytesMax()));
                        if (authenticator != null) {
                            // Logs in first; requests wait in the backlog until it has.
                            socket.pipeline().addLast(authenticator);
                        }
                        socket.pipeline().addLast(new ResponseHandler());
                    }
                });
        bootstrap.connect(address).addListener((ChannelFuture future) -> {
            if (future.isSuccess() && authenticator == null) {
                onConnected(future.channel());
            } else if (future.isSuccess()) {
                future.channel().closeFuture().addListener(closed -> {
                    if (!authenticator.isComplete()) {
                        transport.peerUnreachable(peerId);
                        scheduleReconnect();
                    }
                });
                // A listener that never answers the login is left like one that cannot be reached.
                future.channel().eventLoop().schedule(() -> {
                    if (!authenticator.isComplete()) {
                        future.channel().close();
                    }
                }, config.responseTimeoutMs(), TimeUnit.MILLISECONDS);
            } else {
                LOG.debug("Raft node {}: peer {} at {} not reachable: {}", localId(), peerId, address,
                        future.cause().toString());
                transport.peerUnreachable(peerId);
                scheduleReconnect();
            }
        });
    }

    /** The login on {@code connected} succeeded: the connection is handed over, and ends with its session. */
    private void onAuthenticated(Channel connected, long sessionLifetimeMs) {
        onConnected(connected);
        if (sessionLifetimeMs > 0) {
            // KIP-368: end the connection before the listener's session does (jittered); the core's requests on it
            // are retried, and the next connection logs in afresh.
            long endMs = (long) (sessionLifetimeMs * (0.85 + 0.1 * ThreadLocalRandom.current().nextDouble()));
            connected.eventLoop().schedule(() -> {
                if (connected.isActive()) {
                    LOG.info("Raft node {}: reconnecting to peer {} at {}: its SASL session of {} ms ends",
                            localId(), peerId, address, sessionLifetimeMs);
                    connected.close();
                }
            }, endMs, TimeUnit.MILLISECONDS);
        }
    }

    private void onConnected(Channel connected) {
        synchronized (this) {
            if (closed) {
                connected.close();
                return;
            }
            channel = connected;
            backoffMs = config.reconnectBackoffMs();
            LOG.info("Raft node {}: connection to peer {} at {} established", localId(), peerId, address);
            while (!backlog.isEmpty()) {
                connected.write(Unpooled.wrappedBuffer(backlog.poll()));
            }
            connected.flush();
        }
        connected.closeFuture().addListener(future -> onDisconnected(connected));
        connected.eventLoop().schedule(() -> checkResponses(connected), 1, TimeUnit.SECONDS);
    }

    private void onDisconnected(Channel lost) {
        synchronized (this) {
            if (channel != lost) {
                return;
            }
            channel = null;
        }
        pending.clear();
        LOG.info("Raft node {}: connection to peer {} at {} lost", localId(), peerId, address);
        boolean closing;
        synchronized (this) {
            closing = closed;
        }
        if (!closing) {
            transport.peerUnreachable(peerId);
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long delayMs;
        synchronized (this) {
            if (closed) {
                return;
            }
            delayMs = backoffMs;
            backoffMs = Math.min(backoffMs * 2, config.reconnectBackoffMaxMs());
        }
        group.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Sends a request record; dropped (the core retries) when too many are pending or the backlog is full. */
    void send(RaftMessage request, ApiKey apiKey) {
        short version = RaftApis.requestVersion(apiKey);
        ApiMessage body = transport.mapper().toRequest(request);
        ByteBuffer frame = RequestEncoder.encode(apiKey, version, request.correlationId(),
                "raft-" + request.source(), body);
        if (pending.size() >= config.pendingRequestsMax()) {
            // The peer stopped answering: start over on a new connection (pending requests are forgotten).
            LOG.warn("Raft node {}: reconnecting to peer {}: {} requests unanswered", localId(), peerId, pending.size());
            Channel stuck;
            synchronized (this) {
                stuck = channel;
            }
            pending.clear();
            if (stuck != null) {
                stuck.close();
            }
            return;
        }
        pending.put(request.correlationId(), new Pending(request, apiKey, version, System.nanoTime()));
        Channel current;
        synchronized (this) {
            current = channel;
            if (current == null) {
                if (backlog.size() >= config.backlogFramesMax()) {
                    backlog.poll();
                }
                backlog.add(frame);
                return;
            }
        }
        current.writeAndFlush(Unpooled.wrappedBuffer(frame));
    }

    void close() {
        Channel current;
        synchronized (this) {
            closed = true;
            current = channel;
            backlog.clear();
        }
        if (current != null) {
            current.close();
        }
    }

    private record Pending(RaftMessage request, ApiKey apiKey, short version, long sentNanos) {
    }

    /** Closes the connection when a request has waited longer than the response timeout; runs every second. */
    private void checkResponses(Channel watched) {
        if (!watched.isActive()) {
            return;
        }
        long limitNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(config.responseTimeoutMs());
        boolean overdue = pending.values().stream().anyMatch(request -> request.sentNanos() < limitNanos);
        if (overdue) {
            LOG.warn("Raft node {}: no response from peer {} within {} ms, reconnecting", localId(), peerId,
                    config.responseTimeoutMs());
            watched.close();
            return;
        }
        watched.eventLoop().schedule(() -> checkResponses(watched), 1, TimeUnit.SECONDS);
    }

    /** Responses on this connection, on its event loop. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<ByteBuffer> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, ByteBuffer frame) {
            Pending request = pending.remove(ResponseDecoder.correlationId(frame));
            if (request == null) {
                return; // a response to a request forgotten (the pending bound, a reconnect): the core retried
            }
            RaftMessage response;
            try {
                ApiMessage body = ResponseDecoder.decode(request.apiKey(), request.version(), frame);
                transport.learnEndpoints(body);
                response = transport.mapper().fromResponse(body, request.request());
            } catch (RequestParseException | InvalidRaftMessageException e) {
                LOG.warn("Closing Raft connection to peer {}: {}", peerId, e.getMessage());
                context.close();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Closing Raft connection to peer {}: invalid {} response: {}", peerId, request.apiKey(),
                        e.toString());
                context.close();
                return;
            }
            transport.deliver(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            LOG.warn("Closing Raft connection to peer {}: {}", peerId, cause.toString());
            context.close();
        }
    }
}
