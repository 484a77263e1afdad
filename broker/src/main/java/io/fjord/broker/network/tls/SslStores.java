package io.fjord.broker.network.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Loads a listener's keystore and truststore as Kafka does: types JKS, PKCS12 (files) and PEM (a file, or inline
 * {@code ssl.keystore.certificate.chain} + {@code ssl.keystore.key} and {@code ssl.truststore.certificates}). Every
 * failure is a one-line refusal naming the key at fault (a missing file, a wrong password, a store without a key).
 * Stateless.
 */
final class SslStores {
    /** Store files larger than this are refused before they are read. */
    private static final long STORE_BYTES_MAX = 16L * 1024 * 1024;

    private SslStores() {
    }

    /**
     * The key managers of the listener's keystore; null when it has none (a client without a certificate).
     *
     * @throws io.fjord.broker.config.ConfigException naming the key at fault
     */
    static KeyManager[] keyManagers(SslSettings settings) {
        KeyStore store = keyStore(settings);
        return store == null ? null : keyManagers(settings, store);
    }

    /** The listener's identity: its key managers and the certificate they present; null without a keystore. */
    static Identity identity(SslSettings settings) {
        KeyStore store = keyStore(settings);
        if (store == null) {
            return null;
        }
        return new Identity(keyManagers(settings, store), leafCertificate(settings, store));
    }

    /** Key managers and the (first) certificate they present. */
    record Identity(KeyManager[] keyManagers, X509Certificate certificate) {
    }

    private static X509Certificate leafCertificate(SslSettings settings, KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return certificate;
                }
            }
            return null;
        } catch (GeneralSecurityException e) {
            throw settings.refusal(locationOrKey(settings), "cannot read the keystore's certificate: "
                    + e.getMessage());
        }
    }

    private static KeyManager[] keyManagers(SslSettings settings, KeyStore store) {
        char[] keyPassword = keyPassword(settings);
        try {
            if (!hasPrivateKey(store)) {
                throw settings.refusal(locationOrKey(settings), "the keystore holds no private key entry");
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(settings.value("ssl.keymanager.algorithm"));
            factory.init(store, keyPassword);
            return factory.getKeyManagers();
        } catch (UnrecoverableKeyException e) {
            throw settings.refusal(settings.value("ssl.key.password") != null ? "ssl.key.password"
                    : "ssl.keystore.password", "cannot recover the private key: wrong key password");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw settings.refusal("ssl.keymanager.algorithm", "unknown key manager algorithm");
        } catch (GeneralSecurityException e) {
            throw settings.refusal(locationOrKey(settings), "cannot use the keystore: " + e.getMessage());
        }
    }

    /** Kafka: the key password defaults to the keystore password. */
    private static char[] keyPassword(SslSettings settings) {
        String keyPassword = settings.value("ssl.key.password");
        if (keyPassword == null) {
            keyPassword = settings.value("ssl.keystore.password");
        }
        return keyPassword == null ? new char[0] : keyPassword.toCharArray();
    }

    private static String locationOrKey(SslSettings settings) {
        return settings.value("ssl.keystore.location") != null ? "ssl.keystore.location" : "ssl.keystore.key";
    }

    /** The trust managers of the listener's truststore; the JVM's default trust when none is configured. */
    static TrustManager[] trustManagers(SslSettings settings) {
        KeyStore store = trustStore(settings);
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(
                    settings.value("ssl.trustmanager.algorithm"));
            factory.init(store);
            return factory.getTrustManagers();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw settings.refusal("ssl.trustmanager.algorithm", "unknown trust manager algorithm");
        } catch (GeneralSecurityException e) {
            throw settings.refusal("ssl.truststore.location", "cannot use the truststore: " + e.getMessage());
        }
    }

    private static KeyStore keyStore(SslSettings settings) {
        String type = settings.value("ssl.keystore.type").toUpperCase(Locale.ROOT);
        String location = settings.value("ssl.keystore.location");
        String chain = settings.value("ssl.keystore.certificate.chain");
        String key = settings.value("ssl.keystore.key");
        if (!type.equals("PEM")) {
            if (chain != null || key != null) {
                throw settings.refusal(chain != null ? "ssl.keystore.certificate.chain" : "ssl.keystore.key",
                        "inline PEM needs ssl.keystore.type PEM");
            }
            return location == null ? null : fileStore(settings, type, "ssl.keystore.location",
                    "ssl.keystore.password");
        }
        if (settings.value("ssl.keystore.password") != null) {
            throw settings.refusal("ssl.keystore.password", "a PEM keystore has no store password; only "
                    + "ssl.key.password (of an encrypted key) may be set");
        }
        if (location != null && (chain != null || key != null)) {
            throw settings.refusal("ssl.keystore.location", "set either a PEM file or inline "
                    + "ssl.keystore.certificate.chain and ssl.keystore.key, not both");
        }
        if (location == null && chain == null && key == null) {
            return null;
        }
        if (location == null && (chain == null || key == null)) {
            throw settings.refusal(chain == null ? "ssl.keystore.certificate.chain" : "ssl.keystore.key",
                    "an inline PEM keystore needs both ssl.keystore.certificate.chain and ssl.keystore.key");
        }
        String keyText = location != null ? readText(settings, "ssl.keystore.location") : key;
        String chainText = location != null ? keyText : chain;
        String keyKey = location != null ? "ssl.keystore.location" : "ssl.keystore.key";
        String chainKey = location != null ? "ssl.keystore.location" : "ssl.keystore.certificate.chain";
        String keyPassword = settings.value("ssl.key.password");
        PrivateKey privateKey;
        try {
            privateKey = PemContent.privateKey(keyText, keyPassword == null ? null : keyPassword.toCharArray());
        } catch (GeneralSecurityException e) {
            throw settings.refusal(keyPassword != null ? "ssl.key.password" : keyKey,
                    "cannot read the PEM private key: " + e.getMessage());
        }
        if (privateKey == null) {
            throw settings.refusal(keyKey, "no PEM private key (BEGIN PRIVATE KEY) found");
        }
        List<Certificate> certificates = pemCertificates(settings, chainText, chainKey);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("kafka", privateKey, keyPassword(settings),
                    certificates.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw settings.refusal(chainKey, "the certificate chain does not fit the key: " + e.getMessage());
        }
    }

    private static KeyStore trustStore(SslSettings settings) {
        String type = settings.value("ssl.truststore.type").toUpperCase(Locale.ROOT);
        String location = settings.value("ssl.truststore.location");
        String certificates = settings.value("ssl.truststore.certificates");
        if (!type.equals("PEM")) {
            if (certificates != null) {
                throw settings.refusal("ssl.truststore.certificates", "inline PEM needs ssl.truststore.type PEM");
            }
            return location == null ? null : fileStore(settings, type, "ssl.truststore.location",
                    "ssl.truststore.password");
        }
        if (settings.value("ssl.truststore.password") != null) {
            throw settings.refusal("ssl.truststore.password", "a PEM truststore has no password");
        }
        if (location != null && certificates != null) {
            throw settings.refusal("ssl.truststore.location", "set either a PEM file or inline "
                    + "ssl.truststore.certificates, not both");
        }
        if (location == null && certificates == null) {
            return null;
        }
        String key = location != null ? "ssl.truststore.location" : "ssl.truststore.certificates";
        String text = location != null ? readText(settings, key) : certificates;
        List<Certificate> trusted = pemCertificates(settings, text, key);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int index = 0; index < trusted.size(); index++) {
                store.setCertificateEntry("kafka" + index, trusted.get(index));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw settings.refusal(key, "cannot hold the certificates: " + e.getMessage());
        }
    }

    private static List<Certificate> pemCertificates(SslSettings settings, String text, String key) {
        try {
            List<Certificate> certificates = PemContent.certificates(text);
            if (certificates.isEmpty()) {
                throw settings.refusal(key, "no PEM certificate (BEGIN CERTIFICATE) found");
            }
            return certificates;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw settings.refusal(key, "cannot read the PEM certificates: " + e.getMessage());
        }
    }

    private static KeyStore fileStore(SslSettings settings, String type, String locationKey, String passwordKey) {
        if (!type.equals("JKS") && !type.equals("PKCS12")) {
            throw settings.refusal(locationKey.replace("location", "type"), "Fjord reads JKS, PKCS12 and PEM stores");
        }
        String password = settings.value(passwordKey);
        if (password == null && locationKey.startsWith("ssl.keystore")) {
            throw settings.refusal(passwordKey, "the keystore " + settings.value(locationKey)
                    + " needs its password");
        }
        Path path = Path.of(settings.value(locationKey));
        checkSize(settings, locationKey, path);
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (NoSuchFileException e) {
            throw settings.refusal(locationKey, "no such file");
        } catch (IOException e) {
            // The JDK reports a wrong store password as an IOException caused by an UnrecoverableKeyException.
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage())
                    .contains("password")) {
                throw settings.refusal(passwordKey, "wrong password for " + path);
            }
            throw settings.refusal(locationKey, "cannot read the " + type + " store: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw settings.refusal(locationKey, "cannot read the " + type + " store: " + e.getMessage());
        }
    }

    private static String readText(SslSettings settings, String locationKey) {
        Path path = Path.of(settings.value(locationKey));
        checkSize(settings, locationKey, path);
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw settings.refusal(locationKey, "no such file");
        } catch (IOException e) {
            throw settings.refusal(locationKey, "cannot read it: " + e.getMessage());
        }
    }

    private static void checkSize(SslSettings settings, String locationKey, Path path) {
        try {
            if (Files.isRegularFile(path) && Files.size(path) > STORE_BYTES_MAX) {
                throw settings.refusal(locationKey, "larger than " + STORE_BYTES_MAX + " bytes");
            }
        } catch (IOException e) {
            throw settings.refusal(locationKey, "cannot read it: " + e.getMessage());
        }
    }

    private static boolean hasPrivateKey(KeyStore store) throws GeneralSecurityException {
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }
}
