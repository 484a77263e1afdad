package io.fjord.metadata.controller;

/**
 * The quorum's {@code kraft.version} (KIP-853) as the controller reads and upgrades it (Kafka's
 * KRaftVersionAccessor): its level lives in the Raft log's voter set, not in the metadata image, so UpdateFeatures
 * reaches it through this. Implementations are thread-safe.
 */
public interface KraftVersionAccessor {
    /** A quorum held at level 0 (a quorum of one, tests): upgrades are refused. */
    KraftVersionAccessor STATIC = new KraftVersionAccessor() {
        @Override
        public short kraftVersion() {
            return 0;
        }

        @Override
        public String upgrade(short level, boolean validateOnly) {
            return "Invalid upgrade of kraft.version from version 0 to " + level;
        }
    };

    /** The level in force (the latest in the log, committed or not). */
    short kraftVersion();

    /**
     * Upgrades to {@code level} (only validates with {@code validateOnly}), returning once the upgrade is committed;
     * null on success, else why it was refused (Kafka's message, answered as INVALID_UPDATE_VERSION).
     *
     * @throws NotControllerException if this node no longer leads the quorum
     */
    String upgrade(short level, boolean validateOnly);
}
