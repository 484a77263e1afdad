package io.fjord.raft.transport;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Where a Raft node listens and where its peers are, and the transport's limits.
 *
 * @param listenAddress the controller listener of this node; null for an observer that listens on none
 * @param voterAddresses every voter's listener by node id (this node's own entry is ignored for connections)
 * @param clusterId the cluster id requests carry and must match
 * @param frameBytesMax the largest frame read (Kafka's {@code socket.request.max.bytes} default is 100 MiB)
 * @param pendingRequestsMax requests awaiting a response per peer, and responses owed per node, at most
 * @param backlogFramesMax requests held per peer while it is not connected, at most (older ones are dropped)
 * @param reconnectBackoffMs the first delay before reconnecting (Kafka's {@code reconnect.backoff.ms}: 50)
 * @param reconnectBackoffMaxMs the longest delay (Kafka's {@code reconnect.backoff.max.ms}: 1000)
 * @param responseTimeoutMs a connection whose oldest unanswered request is older than this is closed and made again
 *     (a peer that vanished without closing its sockets); above the longest a leader holds a fetch
 * @param ioThreads Netty event loop threads
 * @param staticVoters whether the voters are fixed by configuration ({@code controller.quorum.voters}): the
 *     listener then refuses AddRaftVoter and RemoveRaftVoter, as Kafka refuses them on a static quorum
 * @param dynamicQuorum a dynamic quorum's bootstrap servers and listener name; null for a static quorum
 * @param sasl SASL on the controller listener (SASL_PLAINTEXT, SASL_SSL), above {@code channelSecurity}; null for
 *     none
 * @param channelSecurity how the controller listener's connections are protected, accepted and made (TLS when its
 *     security protocol is SSL)
 * @param authorization what the listener checks before serving a request ({@link ControllerListenerAuthorization#NONE}
 *     without an authorizer)
 * @param acceptGate a handler on the listener's server channel that decides when each accepted connection is handed
 *     on (the broker's connection limits: {@code max.connections}, per listener and per address, creation rates);
 *     {@link io.netty.channel.ChannelHandler.Sharable}; null for none
 *
 * <p>Immutable; thread-safe.
 */
public record TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
        String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
        long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads, boolean staticVoters,
        DynamicQuorum dynamicQuorum, ChannelSecurity channelSecurity, TransportSasl sasl,
        ControllerListenerAuthorization authorization, io.netty.channel.ChannelHandler acceptGate) {

    public TransportConfig {
        voterAddresses = Map.copyOf(voterAddresses);
        java.util.Objects.requireNonNull(channelSecurity, "channelSecurity");
        java.util.Objects.requireNonNull(authorization, "authorization");
    }

    /** A transport whose listener limits no connections. */
    public TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
            String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
            long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads, boolean staticVoters,
            DynamicQuorum dynamicQuorum, ChannelSecurity channelSecurity, TransportSasl sasl,
            ControllerListenerAuthorization authorization) {
        this(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax, backlogFramesMax,
                reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, staticVoters, dynamicQuorum,
                channelSecurity, sasl, authorization, null);
    }

    /** A transport whose listener checks nothing. */
    public TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
            String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
            long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads, boolean staticVoters,
            DynamicQuorum dynamicQuorum, ChannelSecurity channelSecurity, TransportSasl sasl) {
        this(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax, backlogFramesMax,
                reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, staticVoters, dynamicQuorum,
                channelSecurity, sasl, ControllerListenerAuthorization.NONE);
    }

    /** A transport without SASL. */
    public TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
            String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
            long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads, boolean staticVoters,
            DynamicQuorum dynamicQuorum, ChannelSecurity channelSecurity) {
        this(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax, backlogFramesMax,
                reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, staticVoters, dynamicQuorum,
                channelSecurity, null);
    }

    /** A plaintext transport. */
    public TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
            String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
            long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads, boolean staticVoters,
            DynamicQuorum dynamicQuorum) {
        this(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax, backlogFramesMax,
                reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, staticVoters, dynamicQuorum,
                ChannelSecurity.PLAINTEXT);
    }

    /** A transport without bootstrap servers. */
    public TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
            String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
            long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads, boolean staticVoters) {
        this(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax, backlogFramesMax,
                reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, staticVoters, null);
    }

    /** A transport that takes voter changes (KIP-853). */
    public TransportConfig(InetSocketAddress listenAddress, Map<Integer, InetSocketAddress> voterAddresses,
            String clusterId, int frameBytesMax, int pendingRequestsMax, int backlogFramesMax, long reconnectBackoffMs,
            long reconnectBackoffMaxMs, long responseTimeoutMs, int ioThreads) {
        this(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax, backlogFramesMax,
                reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, false);
    }

    /** This configuration with the voters fixed by configuration: voter changes are refused. */
    public TransportConfig withStaticVoters() {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax,
                backlogFramesMax, reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, true, null,
                channelSecurity, sasl, authorization, acceptGate);
    }

    /** This configuration for a dynamic quorum (KIP-853): voters learned from the log, voter changes taken. */
    public TransportConfig withDynamicQuorum(DynamicQuorum dynamic) {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax,
                backlogFramesMax, reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads, false,
                dynamic, channelSecurity, sasl, authorization, acceptGate);
    }

    /** This configuration with the controller listener's connections protected by {@code security}. */
    public TransportConfig withChannelSecurity(ChannelSecurity security) {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax,
                backlogFramesMax, reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads,
                staticVoters, dynamicQuorum, security, sasl, authorization, acceptGate);
    }

    /** This configuration with SASL on the controller listener ({@code controllerSasl}; null: none). */
    public TransportConfig withSasl(TransportSasl controllerSasl) {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax,
                backlogFramesMax, reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads,
                staticVoters, dynamicQuorum, channelSecurity, controllerSasl, authorization, acceptGate);
    }

    /** This configuration with the controller listener's requests checked by {@code checks}. */
    public TransportConfig withAuthorization(ControllerListenerAuthorization checks) {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax,
                backlogFramesMax, reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads,
                staticVoters, dynamicQuorum, channelSecurity, sasl, checks, acceptGate);
    }

    /** This configuration with the listener's accepted connections limited by {@code gate} (null: none). */
    public TransportConfig withAcceptGate(io.netty.channel.ChannelHandler gate) {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, frameBytesMax, pendingRequestsMax,
                backlogFramesMax, reconnectBackoffMs, reconnectBackoffMaxMs, responseTimeoutMs, ioThreads,
                staticVoters, dynamicQuorum, channelSecurity, sasl, authorization, gate);
    }

    /**
     * Kafka's defaults: 100 MiB frames, 50-1000 ms reconnect back-off; 1024 pending, 1024 backlog, responses within
     * 5 s, 2 threads.
     */
    public static TransportConfig withDefaults(InetSocketAddress listenAddress,
            Map<Integer, InetSocketAddress> voterAddresses, String clusterId) {
        return new TransportConfig(listenAddress, voterAddresses, clusterId, 100 * 1024 * 1024, 1024, 1024, 50,
                1000, 5000, 2);
    }
}
