package io.fjord.broker.network.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PEM text as Kafka's {@code PEM} store type takes it: X.509 certificates ({@code BEGIN CERTIFICATE}) and one PKCS#8
 * private key, plain ({@code BEGIN PRIVATE KEY}) or encrypted with the key password ({@code BEGIN ENCRYPTED PRIVATE
 * KEY}). Parsed with the JDK only. Stateless.
 */
final class PemContent {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    /** Key algorithms a PKCS#8 key may be in; the first whose factory accepts it wins. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");

    private PemContent() {
    }

    /** The certificates in {@code text}, in order; empty when it has none. */
    static List<Certificate> certificates(String text) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Certificate> certificates = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals("CERTIFICATE")) {
                certificates.add(factory.generateCertificate(new ByteArrayInputStream(decode(matcher.group(2)))));
            }
        }
        return certificates;
    }

    /**
     * The private key in {@code text}; null when it has none.
     *
     * @param keyPassword decrypts an encrypted key; null for a plain one
     * @throws GeneralSecurityException when the key cannot be read or decrypted
     */
    static PrivateKey privateKey(String text, char[] keyPassword) throws GeneralSecurityException {
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            String type = matcher.group(1);
            if (type.equals("PRIVATE KEY")) {
                return decodeKey(new PKCS8EncodedKeySpec(decode(matcher.group(2))));
            }
            if (type.equals("ENCRYPTED PRIVATE KEY")) {
                if (keyPassword == null) {
                    throw new GeneralSecurityException("the key is encrypted and no key password is set");
                }
                EncryptedPrivateKeyInfo info;
                try {
                    info = new EncryptedPrivateKeyInfo(decode(matcher.group(2)));
                } catch (java.io.IOException e) {
                    throw new GeneralSecurityException("not an encrypted PKCS#8 key: " + e.getMessage(), e);
                }
                // PBES2 (openssl's default) names its cipher only in its parameters, e.g. PBEWithHmacSHA256AndAES_256.
                String algorithm = info.getAlgName();
                if (info.getAlgParameters() != null && (algorithm.equals("PBES2")
                        || algorithm.equals("1.2.840.113549.1.5.13"))) {
                    algorithm = info.getAlgParameters().toString();
                }
                Cipher cipher = Cipher.getInstance(algorithm);
                cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
                        .generateSecret(new PBEKeySpec(keyPassword)), info.getAlgParameters());
                return decodeKey(info.getKeySpec(cipher));
            }
            if (type.endsWith("PRIVATE KEY")) {
                throw new GeneralSecurityException("a " + type + " block; Kafka takes PKCS#8 keys (BEGIN PRIVATE KEY"
                        + " or BEGIN ENCRYPTED PRIVATE KEY)");
            }
        }
        return null;
    }

    private static PrivateKey decodeKey(PKCS8EncodedKeySpec spec) throws GeneralSecurityException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // not this algorithm: try the next
            }
        }
        throw new InvalidKeySpecException("the PKCS#8 key is of no algorithm this JVM reads");
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }
}
