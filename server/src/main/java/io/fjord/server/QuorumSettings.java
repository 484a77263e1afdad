package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.security.sasl.ScramCredentialLookup;
import io.fjord.metadata.quorum.BootstrapCheckpoint;
import io.fjord.metadata.quorum.MetadataSnapshotPolicy;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.transport.ChannelSecurity;
import io.fjord.raft.transport.DynamicQuorum;
import io.fjord.raft.transport.TransportConfig;
import io.fjord.broker.network.ConnectionLimits;
import io.fjord.broker.network.IpConnectionRateQuotas;
import io.fjord.broker.network.SeparateListenerLimits;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A node's metadata quorum settings from its configuration, with Kafka's names: the Raft timeouts
 * ({@code controller.quorum.*}), the snapshot policy ({@code metadata.log.max.*}), and the transport of the controller
 * listener (static voters from {@code controller.quorum.voters}, or KIP-853's dynamic quorum found through
 * {@code controller.quorum.bootstrap.servers}; TLS and SASL as the listener's protocol asks). Stateless; thread-safe.
 */
final class QuorumSettings {
    private QuorumSettings() {
    }

    static MetadataSnapshotPolicy snapshots(NodeConfig config) {
        BrokerConfig settings = config.brokerConfig();
        return new MetadataSnapshotPolicy(settings.longValue("metadata.log.max.record.bytes.between.snapshots"),
                settings.longValue("metadata.log.max.snapshot.interval.ms"));
    }

    /** Where the controller listener binds, or null on a node without one (a broker-only node). */
    static InetSocketAddress listenAddress(NodeConfig config) {
        QuorumShape shape = config.quorum();
        if (shape.controllerListener() == null) {
            return null;
        }
        return shape.controllerListener().host().isEmpty() ? new InetSocketAddress(shape.controllerListener().port())
                : new InetSocketAddress(shape.controllerListener().host(), shape.controllerListener().port());
    }

    static RaftConfig raft(NodeConfig config) {
        QuorumShape shape = config.quorum();
        BrokerConfig settings = config.brokerConfig();
        int fetchTimeoutMs = settings.intValue("controller.quorum.fetch.timeout.ms");
        // A dynamic quorum has no static voters: its voters are the log's, found through the bootstrap servers.
        RaftConfig base = shape.isDynamic()
                ? RaftConfig.withDefaults(config.nodeId(), Set.of(config.nodeId()))
                        .withBootstrapServers(shape.bootstrapServers().size())
                : RaftConfig.withDefaults(config.nodeId(), voters(config).keySet());
        return base.withTimeouts(
                settings.intValue("controller.quorum.election.timeout.ms"), fetchTimeoutMs,
                settings.intValue("controller.quorum.election.backoff.max.ms"),
                settings.intValue("controller.quorum.request.timeout.ms"),
                Math.min(RaftConfig.DEFAULT_FETCH_MAX_WAIT_MS, fetchTimeoutMs / 2));
    }

    /**
     * The controller listener's transport.
     *
     * @param scramCredentials what a controller checks SCRAM logins to its controller listener against
     * @param cache the metadata the node's authorizer reads its ACLs from, for the listener's checks
     * @throws IllegalStateException when static voters are configured for a directory formatted for a dynamic quorum
     */
    static TransportConfig transport(NodeConfig config, String clusterId, ScramCredentialLookup scramCredentials,
            io.fjord.broker.MetadataCache cache) {
        QuorumShape shape = config.quorum();
        BrokerConfig settings = config.brokerConfig();
        InetSocketAddress listen = listenAddress(config);
        TransportConfig transport;
        if (shape.voters().isEmpty()) {
            // KIP-853: the voters are the log's (a bootstrap checkpoint's, then VOTERS entries with endpoints), so
            // they change with AddRaftVoter and RemoveRaftVoter. A quorum of one whose bootstrap servers are its own
            // listeners keeps itself as the voter of a log without a voter set (one started before dynamic quorums).
            VoterEndpoint advertised = shape.advertisedControllerEndpoint(settings);
            transport = TransportConfig.withDefaults(listen, Map.of(), clusterId).withDynamicQuorum(new DynamicQuorum(
                    settings.controllerListenerNames().get(0).toUpperCase(Locale.ROOT),
                    advertised == null ? null : InetSocketAddress.createUnresolved(advertised.host(),
                            advertised.port()), shape.isDynamic() ? shape.bootstrapServers() : List.of()));
        } else {
            if (BootstrapCheckpoint.exists(config.metadataLogDirectory())) {
                // The checkpoint's voters would overrule the configured ones: two views of one quorum.
                throw new IllegalStateException("controller.quorum.voters is set, but " + config.metadataLogDirectory()
                        + " was formatted for a dynamic quorum (--standalone or --initial-controllers): use"
                        + " controller.quorum.bootstrap.servers, or format the node again");
            }
            // Voters come from controller.quorum.voters, so they never change.
            transport = TransportConfig.withDefaults(listen, voters(config), clusterId).withStaticVoters();
        }
        transport = transport.withChannelSecurity(controllerListenerSecurity(config));
        // On a SASL controller listener every connection of the quorum logs in (and is checked on a controller).
        transport = transport.withSasl(ControllerSasl.of(settings, config.listeners())
                .map(sasl -> sasl.transportSasl(scramCredentials)).orElse(null));
        // Kafka's controller has its own socket server and ConnectionQuotas: the same limits, counted apart.
        if (!settings.controllerListenerNames().isEmpty()) {
            String listener = settings.controllerListenerNames().get(0).toUpperCase(Locale.ROOT);
            transport = transport.withAcceptGate(new SeparateListenerLimits(listener,
                    ConnectionLimits.of(settings, List.of(listener), null), IpConnectionRateQuotas.NONE)
                    .acceptGate());
        }
        // With authorizer.class.name the listener checks what Kafka's ControllerApis checks.
        io.fjord.broker.security.authorizer.Authorizer authorizer = SecurityHandlers.authorizer(settings, cache);
        return !authorizer.enabled() || settings.controllerListenerNames().isEmpty() ? transport
                : transport.withAuthorization(new io.fjord.broker.handlers.ControllerListenerAuthorizer(
                        io.fjord.broker.security.authorizer.RequestAuthorization.of(authorizer), cache,
                        settings.controllerListenerNames().get(0)));
    }

    /** How connections to and from the controller listener are protected (TLS when its protocol is SSL). */
    static ChannelSecurity controllerListenerSecurity(NodeConfig config) {
        List<String> names = config.brokerConfig().controllerListenerNames();
        return names.isEmpty() ? ChannelSecurity.PLAINTEXT : config.channelSecurity(names.get(0));
    }

    private static Map<Integer, InetSocketAddress> voters(NodeConfig config) {
        QuorumShape shape = config.quorum();
        return shape.isStandalone() ? Map.of(config.nodeId(), listenAddress(config)) : shape.voters();
    }
}
