package io.fjord.metadata.scram;

import java.util.Optional;

/**
 * The SCRAM mechanisms Kafka serves (RFC 7677's SHA-256 and RFC 5802 with SHA-512), with Kafka's type ids (the
 * {@code Mechanism} byte of AlterUserScramCredentials and of the metadata records) and Kafka's iteration bounds:
 * at least 4,096 (RFC 7677's minimum, Kafka's for both) and at most 16,384 (Kafka's ceiling on stored credentials).
 * Immutable.
 */
public enum ScramMechanism {
    SCRAM_SHA_256((byte) 1, "SCRAM-SHA-256", "SHA-256", "HmacSHA256"),
    SCRAM_SHA_512((byte) 2, "SCRAM-SHA-512", "SHA-512", "HmacSHA512");

    public static final int MIN_ITERATIONS = 4096;
    public static final int MAX_ITERATIONS = 16384;

    private final byte type;
    private final String mechanismName;
    private final String hashAlgorithm;
    private final String macAlgorithm;

    ScramMechanism(byte type, String mechanismName, String hashAlgorithm, String macAlgorithm) {
        this.type = type;
        this.mechanismName = mechanismName;
        this.hashAlgorithm = hashAlgorithm;
        this.macAlgorithm = macAlgorithm;
    }

    public byte type() {
        return type;
    }

    /** The SASL mechanism name, as clients ask for it in SaslHandshake. */
    public String mechanismName() {
        return mechanismName;
    }

    public String hashAlgorithm() {
        return hashAlgorithm;
    }

    public String macAlgorithm() {
        return macAlgorithm;
    }

    public static Optional<ScramMechanism> fromType(byte type) {
        for (ScramMechanism mechanism : values()) {
            if (mechanism.type == type) {
                return Optional.of(mechanism);
            }
        }
        return Optional.empty();
    }

    public static Optional<ScramMechanism> fromMechanismName(String name) {
        for (ScramMechanism mechanism : values()) {
            if (mechanism.mechanismName.equals(name)) {
                return Optional.of(mechanism);
            }
        }
        return Optional.empty();
    }
}
