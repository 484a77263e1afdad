package io.fjord.broker.network.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keystore reloads by dynamic broker config: the listener-prefixed keys of this broker's configs take effect, a
 * renewal of the same identity is taken, and stores that cannot be used or name another identity are refused with
 * the listener keeping its stores.
 */
class SslKeystoreReloaderTest {
    private static final String LOCATION = "listener.name.ssl.ssl.keystore.location";

    @TempDir
    static Path directory;
    private static TestCertificates certificates;

    private TlsChannelSecurity security;
    private SslKeystoreReloader reloader;
    private MetadataImage current = MetadataImage.EMPTY;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
    }

    @BeforeEach
    void startListener() {
        Map<String, String> settings = certificates.serverSettings("none");
        security = TlsChannelSecurity.of(SslSettings.of(settings, "SSL"));
        reloader = new SslKeystoreReloader(settings, 1, Map.of("SSL", security));
        publish(Map.of());
    }

    private void publish(Map<String, String> brokerConfigs) {
        MetadataImage next = new MetadataImage(current.offset() + 1, Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of("1", brokerConfigs), 0);
        reloader.publish(current, next);
        current = next;
    }

    private String keystoreInUse() {
        return security.engines().settings().value("ssl.keystore.location");
    }

    @Test
    void aRenewedCertificateOfTheSameIdentityIsTakenForNewConnections() {
        SslEngineFactory before = security.engines();

        publish(Map.of(LOCATION, certificates.renewedServerKeystore.toString()));

        assertThat(security.engines()).isNotSameAs(before);
        assertThat(keystoreInUse()).isEqualTo(certificates.renewedServerKeystore.toString());
        assertThat(security.engines().namesSameIdentityAs(before)).isTrue();
    }

    @Test
    void aCertificateNamingAnotherIdentityIsRefused() {
        publish(Map.of(LOCATION, certificates.untrustedKeystore.toString()));

        assertThat(keystoreInUse()).isEqualTo(certificates.serverKeystore.toString());
    }

    @Test
    void unusableStoresAreRefusedAndTheListenerKeepsItsOwn() {
        publish(Map.of(LOCATION, directory.resolve("absent.p12").toString()));
        assertThat(keystoreInUse()).isEqualTo(certificates.serverKeystore.toString());

        publish(Map.of(LOCATION, certificates.renewedServerKeystore.toString(),
                "listener.name.ssl.ssl.keystore.password", "wrong-password"));
        assertThat(keystoreInUse()).isEqualTo(certificates.serverKeystore.toString());
    }

    @Test
    void onlyListenerPrefixedKeysOfThisBrokerCount() {
        SslEngineFactory before = security.engines();

        publish(Map.of("ssl.keystore.location", certificates.renewedServerKeystore.toString()));
        MetadataImage next = new MetadataImage(current.offset() + 1, Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of("2", Map.of(LOCATION, certificates.renewedServerKeystore.toString())), 0);
        reloader.publish(current, next);

        assertThat(security.engines()).isSameAs(before);
    }

    @Test
    void aProposedUnusableOrForeignKeystoreIsRefusedBeforeItIsCommitted() {
        SslEngineFactory before = security.engines();

        assertThat(reloader.refusal(Map.of(LOCATION, directory.resolve("absent.p12").toString())))
                .hasValueSatisfying(reason -> assertThat(reason).contains(LOCATION));
        assertThat(reloader.refusal(Map.of(LOCATION, certificates.renewedServerKeystore.toString(),
                "listener.name.ssl.ssl.keystore.password", "wrong-password")))
                .hasValueSatisfying(reason -> assertThat(reason).contains("listener.name.ssl.ssl.keystore.password"));
        assertThat(reloader.refusal(Map.of(LOCATION, certificates.untrustedKeystore.toString())))
                .hasValueSatisfying(reason -> assertThat(reason).contains("subject alternative names"));
        // Checking takes nothing: the listener keeps its stores.
        assertThat(security.engines()).isSameAs(before);
    }

    @Test
    void aProposedRenewalOrAnUnrelatedChangeIsNotRefused() {
        assertThat(reloader.refusal(Map.of(LOCATION, certificates.renewedServerKeystore.toString()))).isEmpty();
        assertThat(reloader.refusal(Map.of("log.cleaner.threads", "2"))).isEmpty();
        assertThat(keystoreInUse()).isEqualTo(certificates.serverKeystore.toString());
    }
}
