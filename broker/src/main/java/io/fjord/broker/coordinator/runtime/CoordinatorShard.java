package io.fjord.broker.coordinator.runtime;

/**
 * What the {@link CoordinatorRuntime} needs of a coordinator's pure state machine for one partition of its internal
 * topic: records replayed while loading (and, in a second instance, the committed view's records), activation once
 * loaded, deactivation when the leadership goes, and deterministic timers. A shard's handlers are reached through
 * {@link ShardOperation}s the coordinator's own request layer builds. Durable state changes only by applying
 * records, so two shards that applied the same records answer reads alike.
 *
 * <p>Implementations are not thread-safe: the runtime's thread owns each shard.
 *
 * @param <R> the coordinator's record type
 */
public interface CoordinatorShard<R> {

    /** Applies one record: while loading, or in a shard that serves as the committed view (never activated). */
    void replay(R record);

    /**
     * Applies one record of a producer's transactional batch (loading, or in the committed view): it stays pending
     * until that producer's marker ({@link #replayEndTransaction}). Coordinators that write no transactional batches
     * ignore them, as they were always skipped.
     */
    default void replayTransactional(long producerId, short producerEpoch, R record) {
    }

    /**
     * A transaction marker for {@code producerId} in this partition: its pending records take effect (commit) or are
     * dropped (abort). Called while loading, in the committed view, and on the live shard once the runtime has
     * written the marker ({@link CoordinatorRuntime#completeTransaction}). Coordinators without transactional
     * records ignore markers.
     */
    default void replayEndTransaction(long producerId, short producerEpoch, boolean commit) {
    }

    /** Ends loading; the shard now takes requests and runs timers. */
    ShardResult<R> activate(long nowMs);

    /** The leadership moved: answers every request the shard still holds (NOT_COORDINATOR); it is then dropped. */
    ShardResult<R> deactivate(long nowMs);

    /** Runs the timers due at {@code nowMs}. */
    ShardResult<R> pollTimers(long nowMs);

    /** When {@link #pollTimers} next has work, or {@link Long#MAX_VALUE}. */
    long nextTimerDeadlineMs();

    boolean isActive();
}
