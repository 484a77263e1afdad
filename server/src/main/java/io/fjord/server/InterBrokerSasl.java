package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.security.sasl.JaasEntry;
import io.fjord.broker.security.sasl.ListenerSaslConfig;
import io.fjord.broker.security.sasl.SaslClientCredentials;
import java.util.List;
import java.util.Locale;

/**
 * How this broker authenticates to the other brokers' inter-broker listener (replica fetchers, the transaction
 * marker channel), read as Kafka reads it: the inter-broker listener ({@code inter.broker.listener.name}, else the
 * one named after {@code security.inter.broker.protocol}); when its security protocol is SASL_*, the mechanism
 * {@code sasl.mechanism.inter.broker.protocol}, which the listener must enable, and the {@code username} and
 * {@code password} of the listener's JAAS entry for it ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}),
 * which the broker uses as a client. A bad setting is a {@link ConfigException} naming its key. Stateless.
 */
final class InterBrokerSasl {
    static final String MECHANISM_KEY = "sasl.mechanism.inter.broker.protocol";

    private InterBrokerSasl() {
    }

    /** The inter-broker listener's name, as Kafka resolves it. */
    static String listenerName(BrokerConfig broker) {
        return broker.interBrokerListenerName() != null ? broker.interBrokerListenerName()
                : (String) broker.value("security.inter.broker.protocol");
    }

    /**
     * The credentials of this broker's inter-broker connections, or null when the inter-broker listener is not SASL
     * (or this node has no broker role, so it opens none).
     */
    static SaslClientCredentials credentials(BrokerConfig broker, List<Endpoint> listeners, boolean brokerRole) {
        String name = listenerName(broker);
        String protocol = ListenerSecurity.protocolMap(broker).get(name.toUpperCase(Locale.ROOT));
        if (!brokerRole || protocol == null || !protocol.startsWith("SASL_")) {
            return null;
        }
        ListenerSaslConfig listener = SaslListeners.of(broker, listeners, ListenerSecurity.protocolMap(broker))
                .stream().filter(config -> config.listenerName().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new ConfigException(broker.interBrokerListenerName() != null
                        ? "inter.broker.listener.name" : "security.inter.broker.protocol", name,
                        "the inter-broker listener is not in listeners"));
        String mechanism = (String) broker.value(MECHANISM_KEY);
        if (!listener.enabledMechanisms().contains(mechanism)) {
            // Kafka's rule and words.
            throw new ConfigException(MECHANISM_KEY, mechanism, MECHANISM_KEY + " must be included in "
                    + "sasl.enabled.mechanisms when SASL is used for inter-broker communication");
        }
        JaasEntry jaas = listener.jaasByMechanism().get(mechanism);
        String jaasKey = ListenerSaslConfig.jaasKey(name, mechanism);
        if (jaas == null || jaas.username() == null || jaas.password() == null) {
            throw new ConfigException(jaasKey, "[hidden]", "needs the username and password options: the broker "
                    + "authenticates to the other brokers' " + name + " listener with them");
        }
        return new SaslClientCredentials(mechanism, jaas.username(), jaas.password());
    }
}
