package io.fjord.raft;

/**
 * The {@code kraft.version} levels a voter's software supports, from {@code min} to {@code max} (KIP-853's
 * KRaftVersionFeature, which VotersRecord keeps per voter and UpdateRaftVoter reports).
 *
 * <p>Immutable; thread-safe.
 */
public record KraftVersionRange(short min, short max) {
    /** What Kafka records for the static voters of {@code controller.quorum.voters}: level 0 only. */
    public static final KraftVersionRange STATIC = new KraftVersionRange((short) 0, (short) 0);
    /** What this software supports (and every Fjord release that wrote endpoints into a voter set). */
    public static final KraftVersionRange SUPPORTED = new KraftVersionRange((short) 0,
            KraftVersionUpgrade.KRAFT_VERSION_MAX);

    public KraftVersionRange {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("invalid kraft.version range [" + min + ", " + max + "]");
        }
    }

    public boolean contains(short level) {
        return level >= min && level <= max;
    }

    @Override
    public String toString() {
        return "(min: " + min + ", max: " + max + ")";
    }
}
