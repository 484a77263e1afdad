package io.fjord.broker.network.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener's TLS settings and stores as Kafka reads them: listener overrides over {@code ssl.*}, JKS/PKCS12 files
 * and inline PEM, and every misconfiguration refused with one line naming the key as written.
 */
class SslEngineFactoryTest {
    @TempDir
    static Path directory;
    private static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
    }

    private static Map<String, String> server() {
        return new HashMap<>(certificates.serverSettings("none"));
    }

    @Test
    void aPkcs12KeystoreAndTruststoreMakeServerAndClientEngines() {
        SslEngineFactory factory = SslEngineFactory.create(SslSettings.of(server(), "SSL"), true);

        SSLEngine server = factory.serverEngine();
        assertThat(server.getUseClientMode()).isFalse();
        assertThat(server.getNeedClientAuth()).isFalse();
        assertThat(server.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        SSLEngine client = factory.clientEngine("localhost", 9093);
        assertThat(client.getUseClientMode()).isTrue();
        assertThat(client.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("https");
    }

    @Test
    void listenerPrefixedSettingsOverrideTheGeneralOnes() {
        Map<String, String> settings = server();
        settings.put("ssl.client.auth", "none");
        settings.put("listener.name.internal.ssl.client.auth", "required");
        settings.put("listener.name.internal.ssl.enabled.protocols", "TLSv1.3");
        settings.put("listener.name.internal.ssl.endpoint.identification.algorithm", "");

        SslEngineFactory internal = SslEngineFactory.create(SslSettings.of(settings, "INTERNAL"), true);
        SslEngineFactory external = SslEngineFactory.create(SslSettings.of(settings, "EXTERNAL"), true);

        assertThat(internal.serverEngine().getNeedClientAuth()).isTrue();
        assertThat(internal.serverEngine().getEnabledProtocols()).containsExactly("TLSv1.3");
        assertThat(internal.clientEngine("localhost", 1).getSSLParameters().getEndpointIdentificationAlgorithm())
                .isNull();
        assertThat(external.serverEngine().getNeedClientAuth()).isFalse();
        assertThat(SslSettings.of(settings, "INTERNAL").sourceOf("ssl.client.auth"))
                .isEqualTo("listener.name.internal.ssl.client.auth");
    }

    @Test
    void requestedClientAuthenticationWantsACertificate() {
        Map<String, String> settings = server();
        settings.put("ssl.client.auth", "requested");

        SSLEngine engine = SslEngineFactory.create(SslSettings.of(settings, "SSL"), true).serverEngine();

        assertThat(engine.getWantClientAuth()).isTrue();
        assertThat(engine.getNeedClientAuth()).isFalse();
    }

    @Test
    void inlinePemKeystoreAndTruststoreWork() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("ssl.keystore.type", "PEM");
        settings.put("ssl.keystore.key", certificates.serverKeyPem());
        settings.put("ssl.keystore.certificate.chain", certificates.serverCertificateText());
        settings.put("ssl.truststore.type", "PEM");
        settings.put("ssl.truststore.certificates", certificates.serverCertificateText());

        SslEngineFactory factory = SslEngineFactory.create(SslSettings.of(settings, "SSL"), true);

        assertThat(factory.hasKeystore()).isTrue();
    }

    @Test
    void aPemFileHoldingKeyAndCertificatesWorks() throws Exception {
        Path pem = java.nio.file.Files.writeString(directory.resolve("server-key-and-chain.pem"),
                certificates.serverKeyPem() + certificates.serverCertificateText());
        Map<String, String> settings = Map.of("ssl.keystore.type", "PEM", "ssl.keystore.location", pem.toString());

        assertThat(SslEngineFactory.create(SslSettings.of(settings, "SSL"), true).hasKeystore()).isTrue();
    }

    @Test
    void anEncryptedPemKeyIsReadWithTheKeyPasswordAndRefusedWithAWrongOne() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("ssl.keystore.type", "PEM");
        settings.put("ssl.keystore.key", certificates.serverEncryptedKeyPem("key-secret"));
        settings.put("ssl.keystore.certificate.chain", certificates.serverCertificateText());
        settings.put("ssl.key.password", "key-secret");

        assertThat(SslEngineFactory.create(SslSettings.of(settings, "SSL"), true).hasKeystore()).isTrue();
        settings.put("ssl.key.password", "wrong-secret");
        assertRefused(settings, "ssl.key.password");
        settings.remove("ssl.key.password");
        assertRefused(settings, "ssl.keystore.key");
    }

    @Test
    void aServingListenerWithoutKeystoreIsRefused() {
        assertRefused(Map.of(), "ssl.keystore.location");
    }

    @Test
    void aMissingKeystoreFileIsRefusedNamingTheListenersKey() {
        Map<String, String> settings = server();
        settings.put("listener.name.ssl.ssl.keystore.location", directory.resolve("absent.p12").toString());

        assertRefused(settings, "listener.name.ssl.ssl.keystore.location");
    }

    @Test
    void aWrongKeystorePasswordIsRefusedNamingTheKeyWithoutShowingIt() {
        Map<String, String> settings = server();
        settings.put("ssl.keystore.password", "wrong-password");

        assertThatThrownBy(() -> SslEngineFactory.create(SslSettings.of(settings, "SSL"), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.keystore.password")
                .hasMessageNotContaining("wrong-password");
    }

    @Test
    void aWrongKeyPasswordIsRefusedNamingTheKey() {
        Map<String, String> settings = server();
        settings.put("ssl.key.password", "wrong-password");

        assertRefused(settings, "ssl.key.password");
    }

    @Test
    void aKeystoreWithoutItsPasswordIsRefused() {
        Map<String, String> settings = server();
        settings.remove("ssl.keystore.password");

        assertRefused(settings, "ssl.keystore.password");
    }

    @Test
    void unknownProtocolsCipherSuitesAndStoreTypesAreRefused() {
        assertRefused(with("ssl.enabled.protocols", "TLSv9"), "ssl.enabled.protocols");
        assertRefused(with("ssl.cipher.suites", "TLS_NO_SUCH_SUITE"), "ssl.cipher.suites");
        assertRefused(with("ssl.protocol", "NOPE"), "ssl.protocol");
        assertRefused(with("ssl.keystore.type", "BKS"), "ssl.keystore.type");
        assertRefused(with("ssl.client.auth", "sometimes"), "ssl.client.auth");
    }

    @Test
    void aPemKeystoreRefusesAStorePassword() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("ssl.keystore.type", "PEM");
        settings.put("ssl.keystore.key", certificates.serverKeyPem());
        settings.put("ssl.keystore.certificate.chain", certificates.serverCertificateText());
        settings.put("ssl.keystore.password", "not-for-pem");

        assertRefused(settings, "ssl.keystore.password");
    }

    @Test
    void aClientMayHaveNoKeystore() {
        Map<String, String> settings = Map.of("ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", certificates.truststore.toString(),
                "ssl.truststore.password", TestCertificates.PASSWORD);

        assertThat(SslEngineFactory.create(SslSettings.of(settings, "CONTROLLER"), false).hasKeystore()).isFalse();
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> settings = server();
        settings.put(key, value);
        return settings;
    }

    private static void assertRefused(Map<String, String> settings, String key) {
        assertThatThrownBy(() -> SslEngineFactory.create(SslSettings.of(settings, "SSL"), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("for configuration " + key)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
