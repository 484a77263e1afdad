package io.fjord.broker.network.client;

import io.fjord.broker.security.sasl.SaslAuthenticationFailure;
import io.fjord.broker.security.sasl.SaslClientMechanism;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.codec.RequestParseException;
import io.fjord.protocol.codec.ResponseDecoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.SaslAuthenticateRequestData;
import io.fjord.protocol.message.SaslAuthenticateResponseData;
import io.fjord.protocol.message.SaslHandshakeRequestData;
import io.fjord.protocol.message.SaslHandshakeResponseData;
import io.fjord.raft.transport.RaftApis;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.fjord.broker.network.NetworkTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka protocol client connection from this node to one listener of another node (a controller listener for
 * forwarding, a broker's inter-broker listener for replica fetches). Once connected it asks ApiVersions and, on a
 * SASL listener ({@link NodeConnectionSettings#sasl()}), authenticates with SaslHandshake v1 and SaslAuthenticate as
 * Kafka's clients do; only then is it ready: the owner sends each request at {@link #version}, the highest version
 * both this node's kafka-clients schemas and the listener support. A failed authentication closes the connection
 * with a logged reason. When the listener limits the session (KIP-368's {@code session_lifetime_ms}) the connection
 * takes no new requests from 85-95 % of the lifetime on and closes once its in-flight requests are answered (at the
 * latest when the session ends), so its owner reconnects and authenticates afresh instead of re-authenticating in
 * place. Responses are paired with requests by correlation id (the listener
 * may answer out of order). A connection not ready within the connect timeout, a response frame over the size bound
 * or one that does not decode closes it with a logged reason; its owner is told of every close with the requests
 * still unanswered on it, and makes a new connection itself.
 *
 * <p>Not thread-safe: created, used and notified on its owner's event loop only.
 *
 * @param <T> the owner's handle of a request, handed back with its response or when it is left unanswered
 */
public final class NodeConnection<T> {
    private static final Logger LOG = LoggerFactory.getLogger(NodeConnection.class);
    /** The ApiVersions version the controller listeners (the Raft transport) serve too. */
    private static final short API_VERSIONS_VERSION = RaftApis.highestVersion(ApiKey.API_VERSIONS);

    /** What the owner hears, on the event loop. */
    public interface Events<T> {
        void ready(NodeConnection<T> connection);

        void answered(NodeConnection<T> connection, T request, ApiMessage response);

        /** The connection closed (or never opened); {@code unanswered} were in flight on it, in sending order. */
        void closed(NodeConnection<T> connection, List<T> unanswered);
    }

    private record InFlight<T>(T request, ApiKey api, short version) {
    }

    private final int nodeId;
    private final String peer;
    private final InetSocketAddress address;
    private final EventLoop loop;
    private final NodeConnectionSettings settings;
    private final String clientId;
    private final Events<T> events;
    private final Map<Integer, InFlight<T>> inFlight = new LinkedHashMap<>();
    /** The listener's version range per API, from its ApiVersions answer; null until then. */
    private Map<ApiKey, short[]> listenerVersions;
    private Channel channel;
    private int apiVersionsCorrelationId = -1;
    /** The SASL exchange under way (null when none is): its mechanism and the request awaiting its answer. */
    private SaslClientMechanism sasl;
    private int saslCorrelationId = -1;
    private ApiKey saslApi;
    private short saslVersion;
    private boolean ready;
    /** The SASL session nears its end: no new requests, closed once idle. */
    private boolean sessionEnding;
    private int nextCorrelationId;
    private boolean wasReady;

    /**
     * @param peer what the other node is to this one, for log lines ({@code "controller"}, {@code "leader"})
     */
    public NodeConnection(int nodeId, String peer, InetSocketAddress address, EventLoop loop,
            NodeConnectionSettings settings, String clientId, Events<T> events) {
        this.nodeId = nodeId;
        this.peer = peer;
        this.address = address;
        this.loop = loop;
        this.settings = settings;
        this.clientId = clientId;
        this.events = events;
    }

    public int nodeId() {
        return nodeId;
    }

    public InetSocketAddress address() {
        return address;
    }

    public void connect() {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NetworkTransport.of(loop).socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT) // as SocketServer's, and why
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMs())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel socket) {
                        settings.security().secureConnecting(socket, address.getHostString(), address.getPort());
                        // Size checked before the frame is buffered; a negative or oversized one fails fast.
                        socket.pipeline().addLast(new ResponseFrameDecoder(settings.frameBytesMax()),
                                new ResponseHandler());
                    }
                });
        ChannelFuture connecting = bootstrap.connect(address);
        channel = connecting.channel();
        channel.closeFuture().addListener(closed -> onClosed());
        connecting.addListener((ChannelFuture future) -> {
            if (!future.isSuccess()) {
                LOG.debug("{} {} at {} not reachable: {}", peer, nodeId, address, future.cause().toString());
                future.channel().close();
                return;
            }
            askApiVersions();
            loop.schedule(() -> {
                if (!ready && channel.isActive()) {
                    LOG.warn("Closing the connection to {} {} at {}: not through ApiVersions{} within {} ms", peer,
                            nodeId, address, settings.sasl() == null ? "" : " and SASL authentication",
                            settings.connectTimeoutMs());
                    channel.close();
                }
            }, settings.connectTimeoutMs(), TimeUnit.MILLISECONDS);
        });
    }

    private void askApiVersions() {
        apiVersionsCorrelationId = nextCorrelationId++;
        channel.writeAndFlush(Unpooled.wrappedBuffer(RequestEncoder.encode(ApiKey.API_VERSIONS,
                API_VERSIONS_VERSION, apiVersionsCorrelationId, clientId, new ApiVersionsRequestData()
                        .setClientSoftwareName("fjord").setClientSoftwareVersion("0"))));
    }

    /** Connected, versions known, authenticated where the listener asks it, and not closing. */
    public boolean isReady() {
        return ready && channel.isActive();
    }

    /** Whether it ever became ready (a connection that did not is retried after a longer back-off). */
    public boolean wasReady() {
        return wasReady;
    }

    public boolean hasRoom() {
        return !sessionEnding && inFlight.size() < settings.inFlightRequestsMax();
    }

    public boolean isIdle() {
        return inFlight.isEmpty();
    }

    /**
     * The version to send {@code api} at: the highest that kafka-clients' stable range and the listener's share, or
     * -1 if they share none (or the listener does not take the API). Only on a ready connection.
     */
    public short version(ApiKey api) {
        short[] range = listenerVersions.get(api);
        if (range == null) {
            return -1;
        }
        short highest = (short) Math.min(range[1], KafkaApiVersions.latest(api));
        short lowest = (short) Math.max(range[0], KafkaApiVersions.oldest(api));
        return highest >= lowest ? highest : -1;
    }

    /**
     * Sends {@code body} of {@code api} at {@code version}; throws if it does not encode (nothing is then in flight).
     */
    public void send(T request, ApiKey api, ApiMessage body, short version) {
        int correlationId = nextCorrelationId++;
        ByteBuffer frame = RequestEncoder.encode(api, version, correlationId, clientId, body);
        inFlight.put(correlationId, new InFlight<>(request, api, version));
        channel.writeAndFlush(Unpooled.wrappedBuffer(frame));
    }

    /** Forgets {@code request} (answered at its deadline): a late response to it is dropped. */
    public void forget(T request) {
        inFlight.values().removeIf(sent -> sent.request() == request);
        closeIfSessionEnded();
    }

    public void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private void onClosed() {
        listenerVersions = null;
        ready = false;
        sasl = null;
        List<T> unanswered = new ArrayList<>();
        for (InFlight<T> sent : inFlight.values()) {
            unanswered.add(sent.request());
        }
        inFlight.clear();
        events.closed(this, unanswered);
    }

    private void onApiVersions(ByteBuffer frame) throws RequestParseException {
        ApiVersionsResponseData response = (ApiVersionsResponseData) ResponseDecoder.decode(ApiKey.API_VERSIONS,
                API_VERSIONS_VERSION, frame);
        if (response.errorCode() != 0) {
            LOG.warn("Closing the connection to {} {} at {}: ApiVersions answered error {}", peer, nodeId, address,
                    response.errorCode());
            channel.close();
            return;
        }
        Map<ApiKey, short[]> versions = new EnumMap<>(ApiKey.class);
        for (ApiVersionsResponseData.ApiVersion version : response.apiKeys()) {
            ApiKey api = ApiKey.forId(version.apiKey());
            if (api != null) {
                versions.put(api, new short[] {version.minVersion(), version.maxVersion()});
            }
        }
        listenerVersions = versions;
        if (settings.sasl() == null) {
            becomeReady();
        } else {
            startSasl();
        }
    }

    private void becomeReady() {
        ready = true;
        wasReady = true;
        LOG.debug("Connected to {} {} at {}", peer, nodeId, address);
        events.ready(this);
    }

    /** SaslHandshake v1 (v0's raw tokens are not Kafka 4.4's), then the mechanism's messages in SaslAuthenticate. */
    private void startSasl() {
        sasl = settings.sasl().newMechanism();
        short version = version(ApiKey.SASL_HANDSHAKE);
        if (version < 1) {
            failSasl("the listener does not serve SaslHandshake v1");
            return;
        }
        sendSasl(ApiKey.SASL_HANDSHAKE, version, new SaslHandshakeRequestData().setMechanism(sasl.name()));
    }

    private void sendSasl(ApiKey api, short version, ApiMessage body) {
        saslCorrelationId = nextCorrelationId++;
        saslApi = api;
        saslVersion = version;
        channel.writeAndFlush(Unpooled.wrappedBuffer(RequestEncoder.encode(api, version, saslCorrelationId,
                clientId, body)));
    }

    private void onSaslResponse(ByteBuffer frame) throws RequestParseException {
        ApiMessage decoded = ResponseDecoder.decode(saslApi, saslVersion, frame);
        if (decoded instanceof SaslHandshakeResponseData handshake) {
            if (handshake.errorCode() != 0) {
                failSasl("SaslHandshake answered error " + handshake.errorCode() + "; the listener enables "
                        + handshake.mechanisms());
                return;
            }
            short version = version(ApiKey.SASL_AUTHENTICATE);
            if (version < 0) {
                failSasl("the listener does not serve SaslAuthenticate");
                return;
            }
            sendSasl(ApiKey.SASL_AUTHENTICATE, version, new SaslAuthenticateRequestData()
                    .setAuthBytes(sasl.initialResponse()));
            return;
        }
        SaslAuthenticateResponseData authenticate = (SaslAuthenticateResponseData) decoded;
        if (authenticate.errorCode() != 0) {
            failSasl("SaslAuthenticate answered error " + authenticate.errorCode() + ": "
                    + authenticate.errorMessage());
            return;
        }
        byte[] next;
        try {
            next = sasl.evaluate(authenticate.authBytes());
        } catch (SaslAuthenticationFailure e) {
            failSasl("the server's answer is refused: " + e.getMessage());
            return;
        }
        if (next != null) {
            sendSasl(ApiKey.SASL_AUTHENTICATE, saslVersion, new SaslAuthenticateRequestData().setAuthBytes(next));
        } else if (!sasl.isComplete()) {
            failSasl("the exchange ended incomplete");
        } else {
            sasl = null;
            watchSession(authenticate.sessionLifetimeMs());
            becomeReady();
        }
    }

    private void failSasl(String reason) {
        LOG.warn("Closing the connection to {} {} at {}: SASL authentication as {} with {} failed: {}", peer, nodeId,
                address, settings.sasl().username(), settings.sasl().mechanism(), reason);
        channel.close();
    }

    /** KIP-368: a limited session ends this connection in time, with jitter so connections do not end together. */
    private void watchSession(long sessionLifetimeMs) {
        if (sessionLifetimeMs <= 0) {
            return;
        }
        Channel watched = channel;
        long endingMs = (long) (sessionLifetimeMs * (0.85 + 0.1 * ThreadLocalRandom.current().nextDouble()));
        loop.schedule(() -> {
            if (watched == channel && watched.isActive()) {
                LOG.info("Reconnecting to {} {} at {}: its SASL session of {} ms ends", peer, nodeId, address,
                        sessionLifetimeMs);
                sessionEnding = true;
                closeIfSessionEnded();
            }
        }, endingMs, TimeUnit.MILLISECONDS);
        // The listener closes the connection at the next request after the session ends: close it first.
        loop.schedule(() -> watched.close(), sessionLifetimeMs, TimeUnit.MILLISECONDS);
    }

    private void closeIfSessionEnded() {
        if (sessionEnding && inFlight.isEmpty()) {
            channel.close();
        }
    }

    /**
     * Response frames, on the event loop. Each is a heap buffer of its own ({@link ResponseFrameDecoder}), which the
     * decoded response shares (a Fetch response's records are slices of it) and hands to the owner without a copy.
     */
    private final class ResponseHandler extends SimpleChannelInboundHandler<ByteBuffer> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, ByteBuffer frame) {
            int correlationId = ResponseDecoder.correlationId(frame);
            try {
                if (!ready) {
                    if (listenerVersions == null && correlationId == apiVersionsCorrelationId) {
                        onApiVersions(frame);
                    } else if (sasl != null && correlationId == saslCorrelationId) {
                        onSaslResponse(frame);
                    } else {
                        throw new IllegalStateException("a response before the connection is ready");
                    }
                    return;
                }
                InFlight<T> sent = inFlight.remove(correlationId);
                if (sent == null) {
                    return; // answered at its deadline already
                }
                ApiMessage response = ResponseDecoder.decode(sent.api(), sent.version(), frame);
                events.answered(NodeConnection.this, sent.request(), response);
                closeIfSessionEnded();
            } catch (RequestParseException | RuntimeException e) {
                LOG.warn("Closing the connection to {} {} at {}: {}", peer, nodeId, address, e.getMessage());
                context.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            LOG.warn("Closing the connection to {} {} at {}: {}", peer, nodeId, address, cause.toString());
            context.close();
        }
    }
}
