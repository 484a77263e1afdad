package io.fjord.broker.coordinator.transaction;

/**
 * Hands out producer ids from the block the controller granted (AllocateProducerIds). The shard must not wait, so
 * the source answers at once: {@link #NONE} when it has no id right now (its next block is still being fetched),
 * which the shard turns into COORDINATOR_LOAD_IN_PROGRESS, as Kafka's producer id manager does.
 *
 * <p>Called on the shard's thread only; an implementation that fetches blocks elsewhere states its own safety.
 */
@FunctionalInterface
public interface ProducerIdSource {
    long NONE = -1L;

    /** The next unused producer id, or {@link #NONE}. */
    long nextProducerId();
}
