package io.fjord.server;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.network.ConnectionLimits;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.IpConnectionRateQuotas;
import io.fjord.broker.network.RequestDispatcher;
import io.fjord.broker.network.SocketServer;
import io.fjord.broker.security.sasl.SaslAuthenticators;
import io.fjord.raft.transport.ChannelSecurity;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds the broker's socket server from the node's configuration: each listener's TLS, SASL authentication against
 * the current image's SCRAM credentials, {@code connection.failed.authentication.delay.ms} and the connection limits
 * ({@link ConnectionLimits}; the inter-broker listener is the protected one). Stateless.
 */
final class BrokerSocketServer {
    private BrokerSocketServer() {
    }

    /** The inter-broker listener's name: {@code inter.broker.listener.name}, else Kafka's protocol-named one. */
    static String interBrokerListener(BrokerConfig broker) {
        return Optional.ofNullable(broker.interBrokerListenerName())
                .orElse(broker.string("security.inter.broker.protocol"));
    }

    /** The limits of {@code config}'s broker listeners; refuses malformed ones naming the key. */
    static ConnectionLimits connectionLimits(BrokerConfig broker, java.util.List<Endpoint> listeners) {
        return ConnectionLimits.of(broker, listeners.stream().map(Endpoint::listenerName).distinct().toList(),
                interBrokerListener(broker));
    }

    /** The connection limits of {@code config} under the dynamic broker configs, as they change. */
    static DynamicConnectionLimits dynamicConnectionLimits(NodeConfig config) {
        return new DynamicConnectionLimits(config.brokerConfig(), config.nodeId(), config.networkConfig().listeners()
                .stream().map(Endpoint::listenerName).distinct().toList(), interBrokerListener(config.brokerConfig()));
    }

    /**
     * A socket server, not started.
     *
     * @param listenerSecurity each listener's protection: the node's own objects, which keystore reloads replace the
     *                         stores of (not copies made from {@code config})
     * @param ipRates the per-IP connection creation rate quotas (the client quotas' {@code ip} entity)
     */
    static SocketServer create(NodeConfig config, Function<String, ChannelSecurity> listenerSecurity,
                               RequestDispatcher dispatcher, MetadataCache cache, IpConnectionRateQuotas ipRates) {
        BrokerConfig broker = config.brokerConfig();
        return new SocketServer(config.networkConfig(), dispatcher,
                (thread, error) -> thread.getUncaughtExceptionHandler().uncaughtException(thread, error),
                listenerSecurity, new SaslAuthenticators(
                SaslListeners.of(broker, config.networkConfig().listeners(), ListenerSecurity.protocolMap(broker)),
                (user, mechanism) -> cache.image().scramCredential(user, mechanism), new SecureRandom()),
                broker.intValue("connection.failed.authentication.delay.ms"),
                connectionLimits(broker, config.networkConfig().listeners()), ipRates);
    }
}
