package io.fjord.metadata.scram;

import java.util.Arrays;

/**
 * A user's stored SCRAM credential (RFC 5802 section 5: the salt, StoredKey and ServerKey, never the password) and its
 * iteration count. Immutable: the arrays are copied in and out. Its text hides the keys, as Kafka's does.
 */
public final class ScramCredential {
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;
    private final int iterations;

    public ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {
        this.salt = salt.clone();
        this.storedKey = storedKey.clone();
        this.serverKey = serverKey.clone();
        this.iterations = iterations;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    public int iterations() {
        return iterations;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramCredential that && iterations == that.iterations
                && Arrays.equals(salt, that.salt) && Arrays.equals(storedKey, that.storedKey)
                && Arrays.equals(serverKey, that.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(storedKey) + iterations;
    }

    @Override
    public String toString() {
        return "ScramCredential(salt=[hidden], storedKey=[hidden], serverKey=[hidden], iterations=[hidden])";
    }
}
