package io.fjord.raft;

import io.fjord.protocol.Errors;

/**
 * The outcome of a {@code kraft.version} upgrade asked of the leader (KIP-853, Kafka's
 * {@code upgradeKRaftVersion}): NONE with the offset of the VOTERS entry that carries it (-1 when nothing was
 * appended: validate-only, or the level already in force), or the refusal with Kafka's message.
 *
 * <p>Immutable; thread-safe.
 */
public record KraftVersionUpgrade(Errors error, String message, long offset) {
    public static final short KRAFT_VERSION_MAX = 1;
    /** The feature's name in ApiVersions and UpdateFeatures. */
    public static final String FEATURE_NAME = "kraft.version";

    public static KraftVersionUpgrade refused(Errors error, String message) {
        return new KraftVersionUpgrade(error, message, -1);
    }
}
