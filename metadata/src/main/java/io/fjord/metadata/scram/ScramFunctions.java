package io.fjord.metadata.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 5802's functions for one mechanism: {@code Hi} (PBKDF2 with the mechanism's HMAC), {@code HMAC}, {@code H},
 * and the keys derived from a salted password. Thread-safe: each call makes its own {@link Mac} and digest.
 */
public final class ScramFunctions {
    private final ScramMechanism mechanism;

    public ScramFunctions(ScramMechanism mechanism) {
        this.mechanism = mechanism;
    }

    public ScramMechanism mechanism() {
        return mechanism;
    }

    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(mechanism.macAlgorithm());
            mac.init(new SecretKeySpec(key, mechanism.macAlgorithm()));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM lacks " + mechanism.macAlgorithm(), e);
        }
    }

    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(mechanism.hashAlgorithm()).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM lacks " + mechanism.hashAlgorithm(), e);
        }
    }

    /** {@code Hi(str, salt, i)}: the salted password. The password is used as given (Kafka does not SASLprep it). */
    public byte[] saltedPassword(String password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        byte[] key = password.getBytes(StandardCharsets.UTF_8);
        byte[] first = new byte[salt.length + 4];
        System.arraycopy(salt, 0, first, 0, salt.length);
        first[first.length - 1] = 1; // INT(1), big-endian
        byte[] previous = hmac(key, first);
        byte[] result = previous.clone();
        for (int round = 1; round < iterations; round++) {
            previous = hmac(key, previous);
            xorInto(result, previous);
        }
        return result;
    }

    public byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
    }

    public byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
    }

    public byte[] storedKey(byte[] clientKey) {
        return hash(clientKey);
    }

    /** The stored credential of a salted password, as the controller keeps it (AlterUserScramCredentials sends it). */
    public ScramCredential credential(byte[] salt, byte[] saltedPassword, int iterations) {
        return new ScramCredential(salt, storedKey(clientKey(saltedPassword)), serverKey(saltedPassword), iterations);
    }

    /** The stored credential of a password with a new random salt (for {@code fjord format --add-scram}). */
    public ScramCredential credential(String password, int iterations, SecureRandom random) {
        byte[] salt = new byte[32];
        random.nextBytes(salt);
        return credential(salt, saltedPassword(password, salt, iterations), iterations);
    }

    public static byte[] xor(byte[] first, byte[] second) {
        if (first.length != second.length) {
            throw new IllegalArgumentException("lengths differ: " + first.length + " and " + second.length);
        }
        byte[] result = first.clone();
        xorInto(result, second);
        return result;
    }

    private static void xorInto(byte[] target, byte[] other) {
        for (int index = 0; index < target.length; index++) {
            target[index] ^= other[index];
        }
    }
}
