package io.fjord.broker.network.tls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Makes the TLS engines of one listener from its {@link SslSettings}, with the JDK's provider: server engines for
 * the connections this node accepts (asking for client certificates per {@code ssl.client.auth}) and client engines
 * for those it makes to the listener on other nodes (checking the server's name per
 * {@code ssl.endpoint.identification.algorithm}). Both use the listener's keystore (the node's identity) and
 * truststore. Everything is loaded and checked when it is built, so a misconfiguration stops start-up with one line
 * naming the key. This is also the transport half of SASL_SSL: a SASL layer sits above an engine made here.
 *
 * <p>Immutable; thread-safe (engines are made per connection).
 */
public final class SslEngineFactory {
    private final SslSettings settings;
    private final SSLContext context;
    private final String[] enabledProtocols;
    private final String[] cipherSuites;
    private final SslSettings.ClientAuthentication clientAuthentication;
    private final String endpointIdentificationAlgorithm;
    private final boolean hasKeystore;

    private SslEngineFactory(SslSettings settings, SSLContext context, boolean hasKeystore) {
        this.settings = settings;
        this.context = context;
        this.hasKeystore = hasKeystore;
        this.enabledProtocols = settings.list("ssl.enabled.protocols").toArray(String[]::new);
        List<String> ciphers = settings.list("ssl.cipher.suites");
        this.cipherSuites = ciphers.isEmpty() ? null : ciphers.toArray(String[]::new);
        this.clientAuthentication = settings.clientAuthentication();
        this.endpointIdentificationAlgorithm = settings.value("ssl.endpoint.identification.algorithm");
    }

    /**
     * Loads the stores and checks the settings.
     *
     * @param serving whether the node serves this listener (a server needs a keystore; a client may have none)
     * @throws io.fjord.broker.config.ConfigException naming the key at fault
     */
    public static SslEngineFactory create(SslSettings settings, boolean serving) {
        var keyManagers = SslStores.keyManagers(settings);
        if (keyManagers == null && serving) {
            throw settings.refusal("ssl.keystore.location", "listener " + settings.listenerName()
                    + " is SSL and needs a keystore (ssl.keystore.location, or PEM ssl.keystore.key)");
        }
        var trustManagers = SslStores.trustManagers(settings);
        SSLContext context;
        try {
            context = SSLContext.getInstance(settings.value("ssl.protocol"));
            context.init(keyManagers, trustManagers, new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw settings.refusal("ssl.protocol", "not a TLS protocol this JVM has: " + e.getMessage());
        }
        SslEngineFactory factory = new SslEngineFactory(settings, context, keyManagers != null);
        factory.check();
        return factory;
    }

    /** Makes one engine of each side so that unknown protocols or cipher suites are refused at start-up. */
    private void check() {
        List<String> supportedProtocols = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
        for (String protocol : enabledProtocols) {
            if (!supportedProtocols.contains(protocol)) {
                throw settings.refusal("ssl.enabled.protocols", "protocol " + protocol + " is not one this JVM has "
                        + supportedProtocols);
            }
        }
        if (cipherSuites != null) {
            List<String> supportedCiphers = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
            for (String cipher : cipherSuites) {
                if (!supportedCiphers.contains(cipher)) {
                    throw settings.refusal("ssl.cipher.suites", "cipher suite " + cipher
                            + " is not one this JVM has");
                }
            }
        }
        serverEngine();
        clientEngine("localhost", 0);
    }

    public SslSettings settings() {
        return settings;
    }

    /** Whether this node has a certificate of its own on the listener. */
    public boolean hasKeystore() {
        return hasKeystore;
    }

    /** An engine for a connection this node accepted. */
    public SSLEngine serverEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        configure(engine);
        switch (clientAuthentication) {
            case REQUIRED -> engine.setNeedClientAuth(true);
            case REQUESTED -> engine.setWantClientAuth(true);
            case NONE -> engine.setNeedClientAuth(false);
            default -> throw new IllegalStateException("unknown client authentication " + clientAuthentication);
        }
        return engine;
    }

    /**
     * An engine for a connection this node makes to {@code peerHost:peerPort}; with endpoint identification
     * ({@code https}, Kafka's default) the peer's certificate must name {@code peerHost}.
     */
    public SSLEngine clientEngine(String peerHost, int peerPort) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        configure(engine);
        if (endpointIdentificationAlgorithm != null) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm(endpointIdentificationAlgorithm);
            engine.setSSLParameters(parameters);
        }
        return engine;
    }

    private void configure(SSLEngine engine) {
        try {
            engine.setEnabledProtocols(enabledProtocols);
        } catch (IllegalArgumentException e) {
            throw settings.refusal("ssl.enabled.protocols", e.getMessage());
        }
        if (cipherSuites != null) {
            try {
                engine.setEnabledCipherSuites(cipherSuites);
            } catch (IllegalArgumentException e) {
                throw settings.refusal("ssl.cipher.suites", e.getMessage());
            }
        }
    }
}
