package io.fjord.integration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with the JDK's keytool (no other library): a server identity for {@code localhost} and
 * 127.0.0.1 and a renewal of it, a client identity {@code CN=alice,OU=Clients,O=Fjord}, both trusted by one PKCS12 truststore, and an
 * untrusted client identity. Self-signed EC keys, fast to make. (The broker's tests have the same helper; test
 * classes are not shared between modules.) Not thread-safe.
 */
final class TlsCertificates {
    static final String PASSWORD = "test-password";
    static final String CLIENT_NAME = "CN=alice,OU=Clients,O=Fjord";

    final Path serverKeystore;
    final Path clientKeystore;
    final Path untrustedKeystore;
    /** A new key and certificate naming the same server identity (a renewal), trusted too. */
    final Path renewedServerKeystore;
    final Path truststore;
    final Path serverCertificatePem;

    private TlsCertificates(Path directory) {
        this.serverKeystore = directory.resolve("server.p12");
        this.clientKeystore = directory.resolve("client.p12");
        this.untrustedKeystore = directory.resolve("untrusted.p12");
        this.renewedServerKeystore = directory.resolve("server-renewed.p12");
        this.truststore = directory.resolve("truststore.p12");
        this.serverCertificatePem = directory.resolve("server.pem");
    }

    static TlsCertificates create(Path directory) throws IOException, InterruptedException {
        TlsCertificates certificates = new TlsCertificates(directory);
        keytool("-genkeypair", "-alias", "server", "-dname", "CN=localhost,O=Fjord",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", certificates.serverKeystore.toString());
        keytool("-genkeypair", "-alias", "server", "-dname", "CN=localhost,O=Fjord",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", certificates.renewedServerKeystore.toString());
        keytool("-genkeypair", "-alias", "client", "-dname", CLIENT_NAME,
                "-keystore", certificates.clientKeystore.toString());
        keytool("-genkeypair", "-alias", "mallory", "-dname", "CN=mallory,O=Elsewhere",
                "-keystore", certificates.untrustedKeystore.toString());
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", certificates.serverKeystore.toString(),
                "-file", certificates.serverCertificatePem.toString());
        Path clientPem = directory.resolve("client.pem");
        keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", certificates.clientKeystore.toString(),
                "-file", clientPem.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificates.serverCertificatePem.toString(),
                "-keystore", certificates.truststore.toString());
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientPem.toString(),
                "-keystore", certificates.truststore.toString());
        Path renewedPem = directory.resolve("server-renewed.pem");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", certificates.renewedServerKeystore.toString(),
                "-file", renewedPem.toString());
        keytool("-importcert", "-noprompt", "-alias", "server-renewed", "-file", renewedPem.toString(),
                "-keystore", certificates.truststore.toString());
        return certificates;
    }

    /** A listener's settings serving the server identity and trusting the truststore. */
    java.util.Map<String, String> serverSettings(String clientAuthentication) {
        return java.util.Map.of("ssl.keystore.type", "PKCS12", "ssl.keystore.location", serverKeystore.toString(),
                "ssl.keystore.password", PASSWORD, "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", truststore.toString(), "ssl.truststore.password", PASSWORD,
                "ssl.client.auth", clientAuthentication);
    }

    /** Kafka client settings for {@code security.protocol=SSL} trusting the truststore, with a keystore if given. */
    java.util.Properties clientSettings(Path keystore) {
        java.util.Properties settings = new java.util.Properties();
        settings.put("security.protocol", "SSL");
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("ssl.truststore.location", truststore.toString());
        settings.put("ssl.truststore.password", PASSWORD);
        if (keystore != null) {
            settings.put("ssl.keystore.type", "PKCS12");
            settings.put("ssl.keystore.location", keystore.toString());
            settings.put("ssl.keystore.password", PASSWORD);
        }
        return settings;
    }

    /** A client's TLS context trusting the truststore, presenting {@code keystore}'s identity (none when null). */
    javax.net.ssl.SSLContext clientContext(Path keystore) throws IOException, GeneralSecurityException {
        javax.net.ssl.KeyManager[] keyManagers = null;
        if (keystore != null) {
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
            keys.init(load(keystore), PASSWORD.toCharArray());
            keyManagers = keys.getKeyManagers();
        }
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        trust.init(load(truststore));
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers, trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    /** The server's private key as unencrypted PKCS#8 PEM. */
    String serverKeyPem() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Key key = store.getKey("server", PASSWORD.toCharArray());
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    String serverCertificateText() throws IOException {
        return Files.readString(serverCertificatePem, StandardCharsets.US_ASCII);
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        if (List.of(arguments).contains("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "30"));
        }
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", arguments) + " failed: " + output);
        }
    }
}
