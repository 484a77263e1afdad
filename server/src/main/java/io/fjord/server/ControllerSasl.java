package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.security.sasl.JaasConfigParser;
import io.fjord.broker.security.sasl.JaasEntry;
import io.fjord.broker.security.sasl.ListenerSaslConfig;
import io.fjord.broker.security.sasl.SaslAuthenticationFailure;
import io.fjord.broker.security.sasl.SaslAuthenticator;
import io.fjord.broker.security.sasl.SaslClientCredentials;
import io.fjord.broker.security.sasl.SaslClientMechanism;
import io.fjord.broker.security.sasl.SaslDecision;
import io.fjord.broker.security.sasl.ScramCredentialLookup;
import io.fjord.raft.transport.ClientExchange;
import io.fjord.raft.transport.InboundGate;
import io.fjord.raft.transport.TransportSasl;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SASL on the controller listener ({@code controller.listener.names}' first), read as Kafka reads it: when its
 * security protocol is SASL_PLAINTEXT, every node logs in to it (Raft between controllers, a broker-only node's
 * metadata fetches, forwarding to the active controller) with {@code sasl.mechanism.controller.protocol} as the
 * {@code username}/{@code password} of {@code listener.name.<controller>.<mechanism>.sasl.jaas.config}, and a
 * controller serves it with that listener's SASL settings. PLAIN checks the JAAS entry's {@code user_<name>}
 * options; SCRAM-SHA-256/512 check the credentials of the metadata image, or before the cluster's first records are
 * committed those of {@code fjord format --add-scram} ({@link ControllerScramCredentials}: KIP-900's bootstrap, so
 * the controllers can log in to each other before the quorum replicates anything). A bad setting is a
 * {@link ConfigException} naming its key. Immutable; thread-safe.
 *
 * @param client how this node logs in to the controller listener
 * @param listener the listener's settings when this node serves it (a controller), else null
 */
record ControllerSasl(SaslClientCredentials client, ListenerSaslConfig listener) {
    static final String MECHANISM_KEY = "sasl.mechanism.controller.protocol";

    /** The controller listener's SASL, or empty when it is PLAINTEXT (or there is none). */
    static Optional<ControllerSasl> of(BrokerConfig broker, List<Endpoint> listeners) {
        List<String> names = broker.controllerListenerNames();
        if (names.isEmpty()) {
            return Optional.empty();
        }
        String name = names.get(0);
        String protocol = ListenerSecurity.protocolMap(broker).get(name.toUpperCase(Locale.ROOT));
        if (protocol == null || !protocol.startsWith("SASL_")) {
            return Optional.empty();
        }
        String mechanism = (String) broker.value(MECHANISM_KEY);
        if (!ListenerSaslConfig.SUPPORTED_MECHANISMS.contains(mechanism)) {
            throw new ConfigException(MECHANISM_KEY, mechanism, "the controller listener " + name + " takes PLAIN, "
                    + "SCRAM-SHA-256 or SCRAM-SHA-512");
        }
        ListenerSaslConfig listener = SaslListeners.of(broker, listeners, ListenerSecurity.protocolMap(broker))
                .stream().filter(config -> config.listenerName().equalsIgnoreCase(name)).findFirst().orElse(null);
        if (listener != null && !listener.enabledMechanisms().contains(mechanism)) {
            throw new ConfigException(MECHANISM_KEY, mechanism, MECHANISM_KEY + " must be included in the "
                    + "controller listener's sasl.enabled.mechanisms");
        }
        // A broker-only node does not serve the listener but logs in to it with its JAAS entry all the same.
        String jaasKey = ListenerSaslConfig.jaasKey(name, mechanism);
        String jaasText = broker.originals().get(jaasKey);
        JaasEntry jaas;
        try {
            jaas = jaasText == null ? null : JaasConfigParser.parse(jaasText);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(jaasKey, "[hidden]", e.getMessage());
        }
        if (jaas == null || jaas.username() == null || jaas.password() == null) {
            throw new ConfigException(jaasKey, "[hidden]", "needs the username and password options: the node "
                    + "logs in to the controller listener " + name + " with them");
        }
        return Optional.of(new ControllerSasl(new SaslClientCredentials(mechanism, jaas.username(), jaas.password()),
                listener));
    }

    /**
     * The Raft transport's side: a gate per accepted connection (on a controller), a login per connection made.
     *
     * @param credentials the SCRAM credentials a controller checks logins against
     */
    TransportSasl transportSasl(ScramCredentialLookup credentials) {
        SecureRandom random = new SecureRandom();
        return new TransportSasl(listener == null ? null : remote -> gate(new SaslAuthenticator(listener,
                credentials, () -> nonce(random))), () -> exchange(client.newMechanism()));
    }

    private static String nonce(SecureRandom random) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static InboundGate gate(SaslAuthenticator authenticator) {
        return new InboundGate() {
            @Override
            public Decision onRequest(io.fjord.protocol.message.ApiKey api, short version,
                    io.fjord.protocol.message.ApiMessage body, long nowMs) {
                SaslDecision decision = authenticator.onRequest(api, version, body, nowMs);
                if (decision instanceof SaslDecision.Respond respond) {
                    return new Decision.Respond(respond.response(), respond.failure());
                } else if (decision instanceof SaslDecision.Close close) {
                    return new Decision.Close(close.reason());
                }
                return new Decision.Dispatch();
            }

            @Override
            public String user() {
                // Asked only for requests the gate let through, so after the login.
                return authenticator.principal().name();
            }
        };
    }

    private ClientExchange exchange(SaslClientMechanism mechanism) {
        return new ClientExchange() {
            @Override
            public String mechanism() {
                return mechanism.name();
            }

            @Override
            public String user() {
                return client.username();
            }

            @Override
            public byte[] initialResponse() {
                return mechanism.initialResponse();
            }

            @Override
            public byte[] evaluate(byte[] challenge) throws SaslAuthenticationFailure {
                return mechanism.evaluate(challenge);
            }

            @Override
            public boolean isComplete() {
                return mechanism.isComplete();
            }
        };
    }
}
