package io.fjord.broker.network;

import io.fjord.broker.security.sasl.SaslAuthenticators;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.fjord.raft.transport.ChannelSecurity;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka-protocol socket server: one Netty server channel per listener address (every address a listener's host
 * resolves to, e.g. both 127.0.0.1 and ::1 for {@code localhost} where it names both), native epoll when available (NIO
 * otherwise), frames bounded by {@code socket.request.max.bytes}, request memory bounded by
 * {@code queued.max.request.bytes}, connections limited as Kafka limits them ({@link AcceptGate}: per listener
 * and broker {@code max.connections} (past which an inter-broker connection closes the least recently used one of
 * another listener, KIP-402) and {@code max.connection.creation.rate}, {@code max.connections.per.ip}, per-IP
 * creation rate quotas) and closed after {@code connections.max.idle.ms} without traffic. A listener may be protected ({@link ChannelSecurity}: TLS on SSL
 * listeners), its handler first in each connection's pipeline; fetched file regions then go through it in chunks.
 * On a SASL listener each connection authenticates first ({@link SaslAuthenticators}; its ConnectionHandler holds
 * the SASL state above the transport, so it works alike over plaintext and TLS).
 *
 * <p>Thread-safe. {@link #start()} binds (nothing happens in the constructor); {@link #shutdown(long)} stops
 * accepting, lets requests in flight finish, then closes every connection.
 */
public final class SocketServer {
    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);

    private final NetworkConfig config;
    private final RequestDispatcher dispatcher;
    private final RequestMemoryPool memoryPool;
    private final ConnectionLog connectionLog = ConnectionLog.withDefaults();
    private final Thread.UncaughtExceptionHandler fatalErrors;
    private final SaslAuthenticators authenticators;
    private final Function<String, ChannelSecurity> listenerSecurity;
    private final InFlightTracker inFlightTracker = new InFlightTracker();
    /** The limits to start with, or the latest update (guarded by this). */
    private ConnectionLimits limits;
    /** Made by {@link #start()}; the object is owned by the acceptor thread, the reference guarded by this. */
    private ConnectionQuotas quotas;
    /** Made by {@link #start()} with the quotas; owned by the acceptor thread. */
    private ConnectionEvictor evictor;
    private final IpConnectionRateQuotas ipRates;
    private final List<AcceptGate> gates = new ArrayList<>();
    private final long failedAuthenticationDelayMs;
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final AtomicLong connectionIds = new AtomicLong();
    private final Map<String, InetSocketAddress> boundAddresses = new LinkedHashMap<>();
    private final Map<String, List<InetSocketAddress>> allBoundAddresses = new LinkedHashMap<>();
    private final List<Channel> serverChannels = new ArrayList<>();
    private ChannelGroup connections;
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;

    /** A server whose fatal errors go to the uncaught-exception handler of the thread that meets them. */
    public SocketServer(NetworkConfig config, RequestDispatcher dispatcher) {
        this(config, dispatcher, (thread, error) -> thread.getUncaughtExceptionHandler().uncaughtException(thread,
                error));
    }

    /**
     * @param fatalErrors told of an error after which the node cannot go on serving (a {@link VirtualMachineError}
     *                    met on an event loop or by a request handler), with the thread that met it
     */
    public SocketServer(NetworkConfig config, RequestDispatcher dispatcher,
                        Thread.UncaughtExceptionHandler fatalErrors) {
        this(config, dispatcher, fatalErrors, listenerName -> ChannelSecurity.PLAINTEXT, SaslAuthenticators.none());
    }

    /**
     * @param listenerSecurity each listener's protection by listener name (TLS on SSL listeners; the same object
     *                         for all its connections)
     */
    public SocketServer(NetworkConfig config, RequestDispatcher dispatcher,
                        Thread.UncaughtExceptionHandler fatalErrors,
                        Function<String, ChannelSecurity> listenerSecurity) {
        this(config, dispatcher, fatalErrors, listenerSecurity, SaslAuthenticators.none());
    }

    /**
     * @param listenerSecurity each listener's protection by listener name (TLS on SSL and SASL_SSL listeners)
     * @param authenticators   each new connection's SASL state on the SASL listeners
     */
    public SocketServer(NetworkConfig config, RequestDispatcher dispatcher,
                        Thread.UncaughtExceptionHandler fatalErrors,
                        Function<String, ChannelSecurity> listenerSecurity, SaslAuthenticators authenticators) {
        this(config, dispatcher, fatalErrors, listenerSecurity, authenticators, 0,
                ConnectionLimits.unlimited().withMaxConnections(config.maxConnections()), IpConnectionRateQuotas.NONE);
    }

    /**
     * @param failedAuthenticationDelayMs {@code connection.failed.authentication.delay.ms}: how long the answer to a
     *                                    failed SASL authentication waits before it is sent and the connection closed
     * @param limits                      the connection limits (their {@code max.connections} wins over the
     *                                    network config's)
     * @param ipRates                     the per-address connection creation rate quotas
     */
    public SocketServer(NetworkConfig config, RequestDispatcher dispatcher,
                        Thread.UncaughtExceptionHandler fatalErrors,
                        Function<String, ChannelSecurity> listenerSecurity, SaslAuthenticators authenticators,
                        long failedAuthenticationDelayMs, ConnectionLimits limits, IpConnectionRateQuotas ipRates) {
        this.limits = limits;
        this.ipRates = ipRates;
        this.failedAuthenticationDelayMs = failedAuthenticationDelayMs;
        this.listenerSecurity = listenerSecurity;
        this.authenticators = authenticators;
        this.config = config;
        this.dispatcher = dispatcher;
        this.memoryPool = new RequestMemoryPool(config.queuedMaxRequestBytes());
        this.fatalErrors = fatalErrors;
    }

    /** Binds every listener; throws if one cannot be bound (nothing stays bound then). */
    public synchronized void start() throws InterruptedException {
        NetworkTransport transport = NetworkTransport.preferred();
        IoHandlerFactory ioHandlers = transport.ioHandlerFactory();
        Class<? extends ServerSocketChannel> channelType = transport.serverSocketChannel();
        acceptors = new MultiThreadIoEventLoopGroup(1, ioHandlers);
        workers = new MultiThreadIoEventLoopGroup(config.networkThreads(), ioHandlers);
        connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        quotas = new ConnectionQuotas(limits, ipRates,
                config.listeners().stream().map(Endpoint::listenerName).distinct().toList());
        evictor = new ConnectionEvictor(quotas, connectionLog);
        try {
            for (Endpoint endpoint : config.listeners()) {
                AcceptGate gate = gateOf(endpoint.listenerName(), quotas);
                ServerBootstrap bootstrap = new ServerBootstrap().group(acceptors, workers).channel(channelType)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .handler(gate)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        // Netty's pooled allocator: 4.2's default adaptive one spent 3.8 % of the brokers' CPU
                        // under replication load, this one 2.5 % (docs/performance.md, session 14).
                        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024,
                                1024 * 1024))
                        .childHandler(initializer(endpoint));
                if (config.socketSendBufferBytes() > 0) {
                    bootstrap.childOption(ChannelOption.SO_SNDBUF, config.socketSendBufferBytes());
                }
                if (config.socketReceiveBufferBytes() > 0) {
                    bootstrap.childOption(ChannelOption.SO_RCVBUF, config.socketReceiveBufferBytes());
                }
                int port = endpoint.port();
                for (InetAddress host : ListenerAddresses.resolve(endpoint)) {
                    Channel channel = bind(bootstrap, endpoint, new InetSocketAddress(host, port));
                    serverChannels.add(channel);
                    InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
                    boundAddresses.putIfAbsent(endpoint.listenerName(), bound);
                    allBoundAddresses.computeIfAbsent(endpoint.listenerName(), name -> new ArrayList<>()).add(bound);
                    port = bound.getPort(); // a port-0 listener takes the same port on its other addresses
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            shutdown(0);
            throw e;
        }
        LOG.debug("Socket server bound {} using {}", allBoundAddresses, transport);
    }

    /**
     * Takes new connection limits (a dynamic config change), handed to the acceptor thread that owns the quotas: the
     * next connections are judged by them, open ones stay; connections held back are judged again at once (a raised
     * maximum serves them). Before {@link #start()} they are the limits to start with. The quota windows are kept.
     */
    public synchronized void updateConnectionLimits(ConnectionLimits newLimits) {
        limits = newLimits;
        ConnectionQuotas started = quotas;
        ConnectionEvictor startedEvictor = evictor;
        EventLoopGroup acceptor = acceptors;
        if (started == null || acceptor == null) {
            return;
        }
        try {
            acceptor.execute(() -> {
                started.updateLimits(newLimits);
                // A lowered max.connections closes the least recently used connections above it, as Kafka's does.
                startedEvictor.evictExcess();
                gates.forEach(AcceptGate::admitWaiting);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: no connection is accepted any more.
        }
    }

    /** The limits the acceptor judges connections by now (read on the acceptor thread, which owns them). */
    ConnectionLimits connectionLimits() throws InterruptedException, java.util.concurrent.ExecutionException {
        EventLoopGroup acceptor;
        ConnectionQuotas started;
        synchronized (this) {
            acceptor = acceptors;
            started = quotas;
            if (started == null || acceptor == null) {
                return limits;
            }
        }
        return acceptor.submit(started::limits).get();
    }

    /** The listener's gate: one for all its addresses, all on the one acceptor thread, sharing the quotas. */
    private AcceptGate gateOf(String listenerName, ConnectionQuotas quotas) {
        for (AcceptGate gate : gates) {
            if (gate.listenerName().equals(listenerName)) {
                return gate;
            }
        }
        // A connection closed on any listener may free a broker-wide slot another listener waits for.
        AcceptGate gate = new AcceptGate(listenerName, quotas, evictor, connectionLog,
                () -> System.nanoTime() / 1_000_000, System::nanoTime, () -> gates.forEach(AcceptGate::admitWaiting));
        gates.add(gate);
        return gate;
    }

    /** Binds one address; a failure (Netty rethrows the socket's IOException unchecked) names it. */
    private static Channel bind(ServerBootstrap bootstrap, Endpoint endpoint, InetSocketAddress address)
            throws InterruptedException {
        try {
            return bootstrap.bind(address).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // Netty's native transport prefixes "bind(..) failed with error(-98): " to the system's reason.
            String reason = String.valueOf(e.getMessage()).replaceFirst("^bind\\(\\.\\.\\) failed[^:]*: ", "");
            throw new ListenerBindException("cannot bind listener " + endpoint + " to "
                    + ListenerAddresses.text(address) + ": " + reason, e);
        }
    }

    private ChannelInitializer<SocketChannel> initializer(Endpoint endpoint) {
        ChannelSecurity security = listenerSecurity.apply(endpoint.listenerName());
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                connectionCount.incrementAndGet(); // the connection passed the AcceptGate's limits
                channel.closeFuture().addListener(closed -> connectionCount.decrementAndGet());
                connections.add(channel);
                ReadGate gate = new ReadGate(channel);
                ConnectionHandler requests = new ConnectionHandler(connectionIds.incrementAndGet(),
                        endpoint.listenerName(), dispatcher, memoryPool, gate,
                        config.queuedRequestsPerConnectionMax(), inFlightTracker, connectionLog, fatalErrors,
                        security, authenticators.newAuthenticator(endpoint.listenerName()),
                        failedAuthenticationDelayMs);
                security.secureAccepted(channel); // first in the pipeline: the others see plain bytes
                channel.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, config.connectionsMaxIdleMs(), TimeUnit.MILLISECONDS));
                if (security.isEncrypted()) {
                    // Fetch data cannot be sent with sendfile through TLS: chunks of it are read and encrypted.
                    channel.pipeline().addLast("chunks", new ChunkedWriteHandler());
                }
                channel.pipeline()
                        .addLast("frames", new FrameDecoder(config.socketRequestMaxBytes(), memoryPool, gate, requests,
                                connectionLog))
                        .addLast("requests", requests);
            }
        };
    }

    /** The address a listener is bound to (its real port when configured with port 0). */
    public synchronized InetSocketAddress boundAddress(String listenerName) {
        InetSocketAddress address = boundAddresses.get(listenerName);
        if (address == null) {
            throw new IllegalArgumentException("no bound listener " + listenerName);
        }
        return address;
    }

    /** Every address a listener is bound to: each address its host resolves to, or the wildcard. */
    public synchronized List<InetSocketAddress> boundAddresses(String listenerName) {
        return List.copyOf(allBoundAddresses.getOrDefault(listenerName, List.of()));
    }

    public int connectionCount() {
        return connectionCount.get();
    }

    /** Connections accepted but held back by the connection limits (read on the acceptor thread, which owns them). */
    int heldConnectionCount() throws InterruptedException, java.util.concurrent.ExecutionException {
        EventLoopGroup acceptor;
        synchronized (this) {
            acceptor = acceptors;
        }
        return acceptor == null ? 0 : acceptor.submit(() -> gates.stream().mapToInt(AcceptGate::heldCount).sum())
                .get();
    }

    long reservedRequestBytes() {
        return memoryPool.reservedBytes();
    }

    /**
     * Stops accepting, waits up to {@code drainTimeoutMs} for requests in flight to finish (their responses are
     * sent), then closes every connection and stops the event loops. Idempotent.
     */
    public synchronized void shutdown(long drainTimeoutMs) throws InterruptedException {
        for (Channel channel : serverChannels) {
            channel.close().sync();
        }
        serverChannels.clear();
        if (!inFlightTracker.awaitIdle(drainTimeoutMs)) {
            LOG.warn("{} request(s) still in flight after {} ms; closing their connections", inFlightTracker.count(),
                    drainTimeoutMs);
        }
        if (connections != null) {
            connections.close().await(5, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            acceptors.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            workers = null;
            acceptors = null;
            quotas = null;
            evictor = null;
        }
    }
}
