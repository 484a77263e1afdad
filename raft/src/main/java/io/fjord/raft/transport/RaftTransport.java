package io.fjord.raft.transport;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BeginQuorumEpochRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.VoteResponseData;
import io.fjord.raft.ApiVersionsRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.VoterSet;
import io.fjord.raft.driver.MessageSender;
import io.fjord.raft.driver.QuorumDescription;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport of a Raft node, Kafka's wire protocol over Netty: a listener (the controller listener) that
 * takes requests from peers and answers them on the same connection (Raft's to the node, controller requests such as
 * CreateTopics to the injected {@link ControllerRequestHandler}), and one outbound {@link PeerConnection} per
 * other voter for this node's requests. {@link #send(RaftMessage)} routes a request record to its destination's
 * connection and a response record to the connection its request came on (by requester and correlation id).
 * Responses on one inbound connection may leave out of request order (a held fetch is answered later than a vote
 * that followed it); Fjord's peers pair them by correlation id. In a dynamic quorum (KIP-853) a peer's address comes
 * from the node's voter set ({@link #votersChanged}), from a leader's endpoint in a Fetch answer, a Vote answer or a
 * BeginQuorumEpoch, and the bootstrap servers have the core's bootstrap ids; connections are made when first needed.
 *
 * <p>Thread-safe. {@link #start()} binds and connects (nothing happens in the constructor); {@link #close()} stops.
 */
public final class RaftTransport implements MessageSender, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftTransport.class);

    private final int localId;
    private final TransportConfig config;
    private final RaftMessageMapper mapper;
    private final Predicate<RaftMessage> inbound;
    private final Supplier<CompletableFuture<QuorumDescription>> describer;
    private final IntConsumer peerUnreachable;
    private final ControllerRequestHandler controllerHandler;
    private final ListenerApis listenerApis;
    private final java.util.concurrent.atomic.AtomicInteger adminSources =
            new java.util.concurrent.atomic.AtomicInteger(-1000);
    private final Map<Integer, PeerConnection> peers = new HashMap<>();
    /** Where each peer listens, by id (voters, leaders heard of, and bootstrap servers by their core ids). */
    private final Map<Integer, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    /** The node's voter set, as the driver last reported it. */
    private volatile VoterSet voters = VoterSet.UNKNOWN;
    private boolean closed;
    /** Where each owed response goes, by requester and correlation id. */
    private final Map<RouteKey, Route> routes = new ConcurrentHashMap<>();
    /** Accepted connections, closed explicitly at close(): a peer must see them end even if the loop lingers. */
    private final ChannelGroup acceptedChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup group;
    private Channel serverChannel;

    /**
     * @param inbound takes every received message (the driver's {@code deliver}); false means it was dropped
     * @param describer the leader's view of the quorum, for DescribeQuorum
     */
    public RaftTransport(int localId, TransportConfig config, RaftMessageMapper mapper,
            Predicate<RaftMessage> inbound, Supplier<CompletableFuture<QuorumDescription>> describer) {
        this(localId, config, mapper, inbound, describer, peerId -> { });
    }

    /**
     * @param peerUnreachable told the id of a peer whose connection was refused or closed (the driver's
     *     {@code peerUnreachable}: a dead leader is noticed in milliseconds rather than a fetch timeout)
     */
    public RaftTransport(int localId, TransportConfig config, RaftMessageMapper mapper,
            Predicate<RaftMessage> inbound, Supplier<CompletableFuture<QuorumDescription>> describer,
            IntConsumer peerUnreachable) {
        this(localId, config, mapper, inbound, describer, peerUnreachable, ControllerRequestHandler.NONE);
    }

    /**
     * @param controllerHandler takes the controller requests the listener receives (CreateTopics,
     *     BrokerRegistration, ... forwarded by other nodes), for the APIs it names
     */
    public RaftTransport(int localId, TransportConfig config, RaftMessageMapper mapper,
            Predicate<RaftMessage> inbound, Supplier<CompletableFuture<QuorumDescription>> describer,
            IntConsumer peerUnreachable, ControllerRequestHandler controllerHandler) {
        this.localId = localId;
        this.config = config;
        this.mapper = mapper;
        this.inbound = inbound;
        this.describer = describer;
        this.peerUnreachable = peerUnreachable;
        this.controllerHandler = controllerHandler;
        this.listenerApis = new ListenerApis(controllerHandler,
                config.sasl() != null && config.sasl().inbound() != null);
        addresses.putAll(config.voterAddresses());
        addresses.remove(localId);
        if (config.dynamicQuorum() != null) {
            List<InetSocketAddress> bootstrap = config.dynamicQuorum().bootstrapServers();
            for (int i = 0; i < bootstrap.size() && i < RaftConfig.BOOTSTRAP_SERVERS_MAX; i++) {
                addresses.put(RaftConfig.bootstrapId(i), bootstrap.get(i));
            }
        }
    }

    /**
     * A fresh source id for one admin connection's voter changes: negative, below {@code ADMIN_SOURCE_ID} and the
     * driver's own, never a replica id; wraps around after two billion connections.
     */
    int nextAdminSourceId() {
        int next = adminSources.getAndDecrement();
        return next > -1000 ? -1000 : next;
    }

    /** The connection to {@code peerId} was refused or closed (from a connection's event loop). */
    void peerUnreachable(int peerId) {
        peerUnreachable.accept(peerId);
    }

    public synchronized void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT) // as the broker's listeners
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        acceptedChannels.add(channel);
                        config.channelSecurity().secureAccepted(channel);
                        channel.pipeline().addLast(new FrameDecoder(config.frameBytesMax()),
                                new InboundConnection(RaftTransport.this));
                    }
                });
        if (config.acceptGate() != null) {
            bootstrap.handler(config.acceptGate()); // the connection limits, before a connection is served
        }
        if (config.listenAddress() != null) {
            serverChannel = bootstrap.bind(config.listenAddress()).sync().channel();
            LOG.info("Raft node {} listening on {}", localId, serverChannel.localAddress());
        } // else an observer without a controller listener: it only fetches

        // Voters are connected at once, so that a vote at failover finds its connection made; bootstrap servers
        // when first asked.
        addresses.keySet().stream().filter(id -> id >= 0).forEach(this::peer);
    }

    /** The connection to {@code id}, made if its address is known and the transport runs; null otherwise. */
    private synchronized PeerConnection peer(int id) {
        PeerConnection peer = peers.get(id);
        if (peer != null || group == null || closed || id == localId) {
            return peer;
        }
        InetSocketAddress address = addresses.get(id);
        if (address == null) {
            return null;
        }
        peer = new PeerConnection(this, id, address, group, config);
        peers.put(id, peer);
        peer.connect();
        return peer;
    }

    /**
     * The driver's voter set changed: in a dynamic quorum each voter's endpoint on the controller listener (or its
     * first one) is where it is reached, and voters are connected at once.
     */
    @Override
    public void votersChanged(VoterSet current) {
        voters = current;
        if (!learnsEndpoints()) {
            return;
        }
        for (VoterSet.Voter voter : current.voters()) {
            List<VoterEndpoint> endpoints = voter.endpoints();
            VoterEndpoint chosen = endpoints.stream()
                    .filter(endpoint -> endpoint.listenerName().equalsIgnoreCase(listenerName()))
                    .findFirst().orElse(endpoints.isEmpty() ? null : endpoints.get(0));
            if (chosen != null) {
                learnEndpoint(voter.key().id(), chosen.host(), chosen.port());
            }
            peer(voter.key().id());
        }
    }

    /** Peer {@code id} listens at {@code host:port} (dynamic quorums only): a changed address gets a new connection. */
    void learnEndpoint(int id, String host, int port) {
        if (!learnsEndpoints() || id < 0 || id == localId || host == null || host.isEmpty()
                || port <= 0 || port > 65535) {
            return;
        }
        InetSocketAddress previous = addresses.get(id);
        if (previous != null && previous.getPort() == port && previous.getHostString().equalsIgnoreCase(host)) {
            return;
        }
        addresses.put(id, InetSocketAddress.createUnresolved(host, port));
        LOG.info("Raft node {}: node {} listens on {}:{}", localId, id, host, port);
        PeerConnection stale;
        synchronized (this) {
            stale = peers.remove(id);
        }
        if (stale != null) {
            stale.close();
        }
    }

    /** Learns the endpoints a received message names (a leader's, in a dynamic quorum). */
    void learnEndpoints(ApiMessage message) {
        if (!learnsEndpoints()) {
            return;
        }
        if (message instanceof FetchResponseData fetch) {
            fetch.nodeEndpoints().forEach(node -> learnEndpoint(node.nodeId(), node.host(), node.port()));
        } else if (message instanceof VoteResponseData vote) {
            vote.nodeEndpoints().forEach(node -> learnEndpoint(node.nodeId(), node.host(), node.port()));
        } else if (message instanceof BeginQuorumEpochRequestData begin && begin.topics().size() == 1
                && begin.topics().get(0).partitions().size() == 1) {
            int leaderId = begin.topics().get(0).partitions().get(0).leaderId();
            begin.leaderEndpoints().stream()
                    .filter(endpoint -> endpoint.name().equalsIgnoreCase(listenerName()))
                    .findFirst().ifPresent(endpoint -> learnEndpoint(leaderId, endpoint.host(), endpoint.port()));
        }
    }

    /** Where node {@code id} listens as far as this transport knows (this node's advertised address for itself). */
    public InetSocketAddress addressOf(int id) {
        if (id == localId) {
            if (config.dynamicQuorum() != null && config.dynamicQuorum().advertisedAddress() != null) {
                return config.dynamicQuorum().advertisedAddress();
            }
            return config.voterAddresses().getOrDefault(id, boundAddress());
        }
        return addresses.get(id);
    }

    /** The controller listener's name (Fjord's static quorums call it CONTROLLER on the wire). */
    String listenerName() {
        return config.dynamicQuorum() == null ? RaftMessageMapper.LISTENER_NAME : config.dynamicQuorum().listenerName();
    }

    /**
     * Whether the voters' endpoints come from the voter set and the leaders' answers: in a dynamic quorum, and in a
     * static one once upgraded to {@code kraft.version} 1 (its voter set then carries endpoints, and voters added
     * since are in no configuration).
     */
    private boolean learnsEndpoints() {
        return config.dynamicQuorum() != null || hasDynamicVoters();
    }

    /** Whether the node's voter set is KIP-853's, with directory ids ({@code kraft.version} 1). */
    boolean hasDynamicVoters() {
        return voters.hasDirectoryIds();
    }

    /** The voters' listeners for DescribeQuorum: configured ones, or in a dynamic quorum the voter set's. */
    Map<Integer, InetSocketAddress> voterAddresses() {
        if (!learnsEndpoints()) {
            return config.voterAddresses();
        }
        Map<Integer, InetSocketAddress> result = new java.util.TreeMap<>();
        for (int id : voters.ids()) {
            InetSocketAddress address = addressOf(id);
            if (address != null) {
                result.put(id, address);
            }
        }
        return result;
    }

    /** The address the listener is bound to (its port when the configured port was 0). */
    public InetSocketAddress boundAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void send(RaftMessage message) {
        ApiKey requestApi = RaftMessageMapper.requestApi(message);
        if (requestApi != null) {
            if (message instanceof ApiVersionsRequest versions) {
                // A voter-to-be is reached where its AddRaftVoter request says it listens (Kafka's AddVoterHandler).
                versions.listeners().stream()
                        .filter(endpoint -> endpoint.listenerName().equalsIgnoreCase(listenerName()))
                        .findFirst().or(() -> versions.listeners().stream().findFirst())
                        .ifPresent(endpoint -> learnEndpoint(versions.destination(), endpoint.host(),
                                endpoint.port()));
            }
            PeerConnection peer = peer(message.destination());
            if (peer == null) {
                LOG.debug("No connection to Raft node {} for {}", message.destination(), message);
                return;
            }
            peer.send(message, requestApi);
            return;
        }
        Route route = routes.remove(new RouteKey(message.destination(), message.correlationId()));
        if (route == null || !route.channel.isActive()) {
            return; // the requester's connection is gone: it will ask again
        }
        // Encoding (record batches of a fetch answer) runs on the connection's event loop, not the caller's thread.
        route.channel.eventLoop().execute(() -> InboundConnection.write(route.channel, route.apiKey, route.version,
                message.correlationId(), withLeaderEndpoint(message, mapper.toResponse(message))));
    }

    /** A dynamic quorum's Fetch answer names where its current leader listens (Kafka's NodeEndpoints, v17+). */
    private ApiMessage withLeaderEndpoint(RaftMessage message, ApiMessage body) {
        if (learnsEndpoints() && message instanceof FetchResponse fetch
                && body instanceof FetchResponseData data && fetch.currentLeader().leaderId() >= 0) {
            InetSocketAddress leader = addressOf(fetch.currentLeader().leaderId());
            if (leader != null) {
                data.setNodeEndpoints(List.of(new FetchResponseData.NodeEndpoint()
                        .setNodeId(fetch.currentLeader().leaderId()).setHost(leader.getHostString())
                        .setPort(leader.getPort())));
            }
        }
        return body;
    }

    /** A request from {@code channel}: noted for its response, then given to the node. */
    void received(RaftMessage request, Channel channel, ApiKey apiKey, short version) {
        if (routes.size() >= config.pendingRequestsMax() * Math.max(1, Math.max(voters.size(),
                config.voterAddresses().size()))) {
            LOG.debug("Dropping a {} from node {}: too many responses owed", apiKey, request.source());
            return;
        }
        RouteKey key = new RouteKey(request.source(), request.correlationId());
        routes.put(key, new Route(channel, apiKey, version));
        if (!inbound.test(request)) {
            routes.remove(key);
        }
    }

    /** A response from a peer, for the node. */
    void deliver(RaftMessage response) {
        inbound.test(response);
    }

    void forgetRoutes(Channel channel) {
        routes.values().removeIf(route -> route.channel == channel);
    }

    CompletableFuture<QuorumDescription> describeQuorum() {
        return describer.get();
    }

    ControllerRequestHandler controllerHandler() {
        return controllerHandler;
    }

    ListenerApis listenerApis() {
        return listenerApis;
    }

    int localId() {
        return localId;
    }

    RaftMessageMapper mapper() {
        return mapper;
    }

    TransportConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        closed = true;
        peers.values().forEach(PeerConnection::close);
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        acceptedChannels.close().awaitUninterruptibly();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private record RouteKey(int requesterId, int correlationId) {
    }

    private record Route(Channel channel, ApiKey apiKey, short version) {
    }
}
