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
