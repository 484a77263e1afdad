package io.fjord.broker.network.tls;

import io.fjord.broker.network.Principal;
import io.fjord.raft.transport.ChannelSecurity;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS on the connections of one SSL listener: Netty's {@link SslHandler} over a JDK engine from the listener's
 * {@link SslEngineFactory}, first in the pipeline, so every other handler sees plain bytes. Accepted connections get a
 * server engine and their principal from the client certificate ({@link #principal}); connections this node makes
 * get a client engine checking the peer's name. A handshake not done within {@link #HANDSHAKE_TIMEOUT_MS} closes the
 * connection (a plaintext client is refused at its first bytes, which are no TLS record).
 *
 * <p>Thread-safe: the engine factory is swapped atomically by {@link #reload}.
 */
public final class TlsChannelSecurity implements ChannelSecurity {
    /** The pipeline name of the TLS handler. */
    public static final String HANDLER_NAME = "tls";
    /** The most plaintext one TLS record carries (2^14 bytes), and so what the handler encrypts per record. */
    public static final int RECORD_PLAINTEXT_BYTES = 16 * 1024;
    /** Netty's default handshake bound. */
    static final long HANDSHAKE_TIMEOUT_MS = 10_000;

    /** Replaced by a keystore reload; connections made after it use the new one. */
    private volatile SslEngineFactory engines;
    private final SslPrincipalMapper principalMapper;

    public TlsChannelSecurity(SslEngineFactory engines) {
        this.engines = engines;
        SslSettings settings = engines.settings();
        this.principalMapper = SslPrincipalMapper.parse(settings.value("ssl.principal.mapping.rules"),
                settings.sourceOf("ssl.principal.mapping.rules"));
    }

    /** The listener's TLS from its settings, loading and checking its stores (see {@link SslEngineFactory}). */
    public static TlsChannelSecurity of(SslSettings settings) {
        return new TlsChannelSecurity(SslEngineFactory.create(settings, true));
    }

    public SslEngineFactory engines() {
        return engines;
    }

    /**
     * Takes new stores (a dynamic keystore change): connections made from now on use them, those open keep theirs.
     * The new certificate must name the same identity (subject and subject alternative names), as Kafka requires.
     *
     * @throws io.fjord.broker.config.ConfigException naming the key when the new stores cannot be used; the listener
     *     then keeps its stores
     */
    public void reload(SslSettings settings) {
        engines = checkReload(settings);
    }

    /**
     * Loads and checks new stores as {@link #reload} would, without taking them (a dynamic change is validated
     * before it is committed).
     *
     * @return the engines the stores make
     * @throws io.fjord.broker.config.ConfigException naming the key when they cannot be used
     */
    public SslEngineFactory checkReload(SslSettings settings) {
        SslEngineFactory current = engines;
        SslEngineFactory replacement = SslEngineFactory.create(settings, current.hasKeystore());
        if (!current.namesSameIdentityAs(replacement)) {
            throw settings.refusal("ssl.keystore.location", "the new certificate names " + replacement.identityName()
                    + ", not " + current.identityName() + " with the same subject alternative names");
        }
        return replacement;
    }

    @Override
    public void secureAccepted(Channel channel) {
        SslHandler handler = new SslHandler(engines.serverEngine());
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        handler.setWrapDataSize(RECORD_PLAINTEXT_BYTES);
        channel.pipeline().addFirst(HANDLER_NAME, handler);
    }

    @Override
    public void secureConnecting(Channel channel, String peerHost, int peerPort) {
        SslHandler handler = new SslHandler(engines.clientEngine(peerHost, peerPort));
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        handler.setWrapDataSize(RECORD_PLAINTEXT_BYTES);
        channel.pipeline().addFirst(HANDLER_NAME, handler);
    }

    @Override
    public boolean isEncrypted() {
        return true;
    }

    /**
     * The principal of a handshaken session: {@code User:<mapped DN>} of the client certificate, ANONYMOUS without
     * one; empty when no mapping rule applies to the certificate's name (the client is then refused, as Kafka
     * refuses it).
     */
    public Optional<Principal> principal(SSLSession session) {
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.of(Principal.ANONYMOUS);
        }
        if (peer.length == 0 || !(peer[0] instanceof X509Certificate certificate)) {
            return Optional.of(Principal.ANONYMOUS);
        }
        return principalMapper.map(certificate.getSubjectX500Principal().getName()).map(Principal::user);
    }

    /** The user of a handshaken connection this node accepted: {@link #principal} of its session. */
    @Override
    public Optional<String> peerUser(Channel channel) {
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return tls == null ? Optional.empty() : principal(tls.engine().getSession()).map(Principal::name);
    }

    @Override
    public String toString() {
        return "SSL(" + engines.settings().listenerName() + ")";
    }
}
