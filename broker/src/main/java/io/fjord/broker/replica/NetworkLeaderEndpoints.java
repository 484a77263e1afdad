package io.fjord.broker.replica;

import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.security.sasl.SaslClientCredentials;
import io.fjord.raft.transport.ChannelSecurity;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.fjord.broker.network.NetworkTransport;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The network {@link LeaderEndpoints}: for the replica fetchers, each fetcher's connection on an event loop of its
 * own that the fetcher's thread drives (a {@link ManualIoEventLoop}: as Kafka's fetcher threads poll their own
 * network client, a round needs no hand-over between threads); for the other users (the transaction marker channel,
 * the produce path's AddPartitionsToTxn), every connection on one shared event loop thread. Each leader's address looked
 * up when its connection is made (from the metadata image's broker registrations, on the inter-broker listener), so
 * a leader that registers again with another address is found at the next reconnect.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class NetworkLeaderEndpoints implements LeaderEndpoints {
    private final String threadName;
    private final String clientIdPrefix;
    private final IntFunction<Optional<InetSocketAddress>> brokerAddresses;
    private final NodeConnectionSettings settings;
    private final long requestTimeoutMs;
    /** Whether each endpoint gets a loop that its fetcher's thread drives, rather than the shared thread. */
    private final boolean drivenByFetchers;
    private volatile EventLoopGroup group;

    /**
     * @param localId this node's id (the client id of its fetch requests, {@code fjord-replica-fetcher-<id>})
     * @param brokerAddresses a broker's address on the inter-broker listener, empty when it is unknown
     */
    public NetworkLeaderEndpoints(int localId, IntFunction<Optional<InetSocketAddress>> brokerAddresses,
            ReplicaFetcherConfig config) {
        this(localId, brokerAddresses, config, ChannelSecurity.PLAINTEXT);
    }

    /** @param security how connections to the inter-broker listener are protected (TLS when it is SSL) */
    public NetworkLeaderEndpoints(int localId, IntFunction<Optional<InetSocketAddress>> brokerAddresses,
            ReplicaFetcherConfig config, ChannelSecurity security) {
        this(localId, brokerAddresses, config, security, null);
    }

    /**
     * @param security how connections to the inter-broker listener are protected (TLS when it is SSL)
     * @param sasl how the fetchers authenticate to a SASL inter-broker listener, null for another one
     */
    public NetworkLeaderEndpoints(int localId, IntFunction<Optional<InetSocketAddress>> brokerAddresses,
            ReplicaFetcherConfig config, ChannelSecurity security, SaslClientCredentials sasl) {
        this("fjord-replica-fetcher-network", "fjord-replica-fetcher-" + localId, brokerAddresses,
                new NodeConnectionSettings(config.connectTimeoutMs(), 1, config.frameBytesMax(), security, sasl),
                config.requestTimeoutMs(), true);
    }

    /**
     * Endpoints for another user of inter-broker connections than the fetchers, on their own thread.
     *
     * @param threadName the event loop thread's name
     * @param clientIdPrefix the client id of the requests, followed by {@code -<index>}
     * @param settings the connections' settings, their protection included
     * @param requestTimeoutMs a request unanswered this long fails and its connection is dropped
     */
    public NetworkLeaderEndpoints(String threadName, String clientIdPrefix,
            IntFunction<Optional<InetSocketAddress>> brokerAddresses, NodeConnectionSettings settings,
            long requestTimeoutMs) {
        this(threadName, clientIdPrefix, brokerAddresses, settings, requestTimeoutMs, false);
    }

    private NetworkLeaderEndpoints(String threadName, String clientIdPrefix,
            IntFunction<Optional<InetSocketAddress>> brokerAddresses, NodeConnectionSettings settings,
            long requestTimeoutMs, boolean drivenByFetchers) {
        this.drivenByFetchers = drivenByFetchers;
        this.threadName = threadName;
        this.clientIdPrefix = clientIdPrefix;
        this.brokerAddresses = brokerAddresses;
        this.settings = settings;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    @Override
    public synchronized void start() {
        if (group == null && !drivenByFetchers) {
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName, true),
                    NetworkTransport.preferred().ioHandlerFactory());
        }
    }

    /**
     * An endpoint on a loop of its own that the fetcher's thread drives ({@link NetworkLeaderEndpoint#newWaits()}),
     * or for other users on the shared thread, which this starts if {@link #start()} has not.
     */
    @Override
    public synchronized LeaderEndpoint endpoint(int leaderId, int fetcherIndex) {
        if (drivenByFetchers) {
            // The owning thread is set when the fetcher's thread starts driving it.
            return new NetworkLeaderEndpoint(leaderId, () -> brokerAddresses.apply(leaderId),
                    new ManualIoEventLoop(null, null, NetworkTransport.preferred().ioHandlerFactory()), settings, requestTimeoutMs,
                    clientIdPrefix + "-" + fetcherIndex);
        }
        start();
        EventLoopGroup current = group;
        return new NetworkLeaderEndpoint(leaderId, () -> brokerAddresses.apply(leaderId), current.next(), settings,
                requestTimeoutMs, clientIdPrefix + "-" + fetcherIndex);
    }

    @Override
    public synchronized void close() {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }
}
