package io.fjord.broker.network.tls;

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
 * 127.0.0.1 and a renewal of it, a client identity {@code CN=alice,OU=Clients,O=Fjord}, both trusted by one PKCS12
 * truststore, and an untrusted client identity. Self-signed EC keys, fast to make. The broker's test jar ships this
 * class alone, for the integration tests. Not thread-safe.
 */
public final class TestCertificates {
    public static final String PASSWORD = "test-password";
    public static final String CLIENT_NAME = "CN=alice,OU=Clients,O=Fjord";

    public final Path serverKeystore;
    public final Path clientKeystore;
    public final Path untrustedKeystore;
    /** A new key and certificate naming the same server identity (a renewal), trusted too. */
    public final Path renewedServerKeystore;
    public final Path truststore;
    public final Path serverCertificatePem;

    private TestCertificates(Path directory) {
        this.serverKeystore = directory.resolve("server.p12");
        this.clientKeystore = directory.resolve("client.p12");
        this.untrustedKeystore = directory.resolve("untrusted.p12");
        this.renewedServerKeystore = directory.resolve("server-renewed.p12");
        this.truststore = directory.resolve("truststore.p12");
        this.serverCertificatePem = directory.resolve("server.pem");
    }

    public static TestCertificates create(Path directory) throws IOException, InterruptedException {
        TestCertificates certificates = new TestCertificates(directory);
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
    public java.util.Map<String, String> serverSettings(String clientAuthentication) {
        return java.util.Map.of("ssl.keystore.type", "PKCS12", "ssl.keystore.location", serverKeystore.toString(),
                "ssl.keystore.password", PASSWORD, "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", truststore.toString(), "ssl.truststore.password", PASSWORD,
                "ssl.client.auth", clientAuthentication);
    }

    /** Kafka client settings for {@code security.protocol=SSL} trusting the truststore, with a keystore if given. */
    public java.util.Properties clientSettings(Path keystore) {
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
    public javax.net.ssl.SSLContext clientContext(Path keystore) throws IOException, GeneralSecurityException {
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
    public String serverKeyPem() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Key key = store.getKey("server", PASSWORD.toCharArray());
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The server's private key as PKCS#8 PEM encrypted with {@code password} (PBES2, as openssl writes it). */
    public String serverEncryptedKeyPem(String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Key key = store.getKey("server", PASSWORD.toCharArray());
        String algorithm = "PBEWithHmacSHA256AndAES_256";
        javax.crypto.SecretKey secret = javax.crypto.SecretKeyFactory.getInstance(algorithm)
                .generateSecret(new javax.crypto.spec.PBEKeySpec(password.toCharArray()));
        javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(algorithm);
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        new java.security.SecureRandom().nextBytes(iv);
        cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, secret, new javax.crypto.spec.PBEParameterSpec(salt, 10_000,
                new javax.crypto.spec.IvParameterSpec(iv)));
        // Named PBES2 in the key info, as openssl names it (the cipher's own name has no object identifier).
        java.security.AlgorithmParameters pbes2 = java.security.AlgorithmParameters.getInstance("PBES2");
        pbes2.init(cipher.getParameters().getEncoded());
        javax.crypto.EncryptedPrivateKeyInfo info = new javax.crypto.EncryptedPrivateKeyInfo(pbes2,
                cipher.doFinal(key.getEncoded()));
        return "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(info.getEncoded())
                + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
    }

    public String serverCertificateText() throws IOException {
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
