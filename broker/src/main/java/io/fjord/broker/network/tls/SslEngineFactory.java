package io.fjord.broker.network.tls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.security.cert.X509Certificate;
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
    /** The certificate this node presents on the listener; null without a keystore. */
    private final X509Certificate certificate;
    /** When the store files were last modified as they were loaded, to notice a file replaced in place. */
    private final List<Long> storesModifiedMillis;

    private SslEngineFactory(SslSettings settings, SSLContext context, SslStores.Identity identity) {
        this.settings = settings;
        this.context = context;
        this.hasKeystore = identity != null;
        this.certificate = identity == null ? null : identity.certificate();
        this.storesModifiedMillis = storesModifiedMillis(settings);
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
        SslStores.Identity identity = SslStores.identity(settings);
        var keyManagers = identity == null ? null : identity.keyManagers();
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
        SslEngineFactory factory = new SslEngineFactory(settings, context, identity);
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

    /**
     * Whether {@code other} presents the same identity: the same subject and subject alternative names (a keystore
     * reload may renew a certificate, not change whom it names; Kafka's rule unless {@code ssl.allow.dn.changes}).
     */
    public boolean namesSameIdentityAs(SslEngineFactory other) {
        if (certificate == null || other.certificate == null) {
            return certificate == other.certificate;
        }
        try {
            return certificate.getSubjectX500Principal().equals(other.certificate.getSubjectX500Principal())
                    && alternativeNames(certificate).equals(alternativeNames(other.certificate));
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /**
     * Whether a store file changed on disk since this factory loaded it (Kafka reloads a keystore altered to the same
     * location when the file was replaced).
     */
    public boolean storeFilesChanged() {
        return !storesModifiedMillis.equals(storesModifiedMillis(settings));
    }

    private static List<Long> storesModifiedMillis(SslSettings settings) {
        return java.util.stream.Stream.of("ssl.keystore.location", "ssl.truststore.location")
                .map(settings::value).map(location -> {
                    try {
                        return location == null ? -1L
                                : java.nio.file.Files.getLastModifiedTime(java.nio.file.Path.of(location)).toMillis();
                    } catch (java.io.IOException e) {
                        return -1L;
                    }
                }).toList();
    }

    /** The subject alternative names as a set (the JDK's collection compares by identity). */
    private static java.util.Set<List<?>> alternativeNames(X509Certificate certificate)
            throws java.security.cert.CertificateParsingException {
        java.util.Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        return names == null ? java.util.Set.of() : new java.util.HashSet<>(names);
    }

    /** The subject of the certificate this node presents, for log lines; "none" without a keystore. */
    public String identityName() {
        return certificate == null ? "none" : certificate.getSubjectX500Principal().getName();
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
