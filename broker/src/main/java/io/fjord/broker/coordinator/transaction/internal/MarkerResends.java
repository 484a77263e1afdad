package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The preparing transactions whose markers the marker channel refused (it was full), sent again after a back-off, so
 * that such a transaction completes without waiting for the partition to load again: Kafka's channel holds every
 * transaction's markers until they are written, while Fjord's bounds what it holds, so the coordinator offers the
 * refused ones again. At most one entry per transactional id (a later refusal replaces it), dropped when it is due,
 * so this holds no more than the shard's ids; the markers themselves are named again from the durable state when
 * due, and only if the transaction still waits for them in the same producer id and epoch.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class MarkerResends {
    /** How long refused markers wait before they are offered to the channel again. */
    public static final long RESEND_BACKOFF_MS = 1_000;

    private record Refused(long producerId, short producerEpoch, long dueMs) {
    }

    private final TransactionStore store;
    private final TransactionEnder ender;
    /** In the order they were refused, which is the order they are due (one back-off for all). */
    private final Map<String, Refused> refused = new LinkedHashMap<>();

    public MarkerResends(TransactionStore store, TransactionEnder ender) {
        this.store = store;
        this.ender = ender;
    }

    /** The channel refused the markers of the id's transaction at this producer id and epoch: offer them again. */
    public void refused(String transactionalId, long producerId, short producerEpoch, long nowMs) {
        refused.remove(transactionalId); // to the end of the order
        refused.put(transactionalId, new Refused(producerId, producerEpoch, nowMs + RESEND_BACKOFF_MS));
    }

    /** When {@link #poll} next has work, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineMs() {
        Iterator<Refused> first = refused.values().iterator();
        return first.hasNext() ? first.next().dueMs() : Long.MAX_VALUE;
    }

    /** Names again the markers due at the effects' time whose transaction still waits for them. */
    public void poll(TransactionEffects effects) {
        Iterator<Map.Entry<String, Refused>> iterator = refused.entrySet().iterator();
        while (iterator.hasNext()) {
            Map.Entry<String, Refused> next = iterator.next();
            Refused entry = next.getValue();
            if (entry.dueMs() > effects.nowMs()) {
                return;
            }
            iterator.remove();
            TransactionMetadata metadata = store.get(next.getKey());
            if (metadata != null && metadata.state().isPreparing() && metadata.producerId() == entry.producerId()
                    && metadata.producerEpoch() == entry.producerEpoch()) {
                effects.markers(ender.markersOf(metadata));
            }
        }
    }

    /** Forgets every entry (the shard stops; the next leader names the markers of what it loads preparing). */
    public void clear() {
        refused.clear();
    }
}
