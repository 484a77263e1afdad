package io.fjord.storage;

/**
 * Kafka's {@code VerificationGuard} (KIP-890 part 1): a token a partition leader hands out when it starts verifying,
 * with the transaction coordinator, that a producer's transactional batch belongs to an ongoing transaction. The
 * partition keeps the token per producer until the producer's next appended batch (data or marker) or the entry's
 * expiry; the verified batch is appended only if it brings the same token back, so a marker that ended the transaction
 * in between makes the verification void. Compared by identity: each guard is a new object.
 *
 * <p>Immutable; thread-safe.
 */
public final class VerificationGuard {
    /** No verification needed (the producer's transaction is ongoing here), or none started: verifies nothing. */
    public static final VerificationGuard SENTINEL = new VerificationGuard();

    /** A new guard, distinct from every other. */
    public static VerificationGuard create() {
        return new VerificationGuard();
    }

    private VerificationGuard() {
    }

    /** Whether {@code requested} is this guard, and this is not the sentinel. */
    public boolean verifies(VerificationGuard requested) {
        return this != SENTINEL && this == requested;
    }

    @Override
    public String toString() {
        return this == SENTINEL ? "VerificationGuard(SENTINEL)" : "VerificationGuard@" + Integer.toHexString(
                System.identityHashCode(this));
    }
}
