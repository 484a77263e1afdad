package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.TransactionCoordinatorConfig;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionState;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator's two periodic sweeps, as Kafka runs them: every
 * {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} the ongoing transactions older than their
 * timeout are aborted with an epoch bump (a fence, see {@link TransactionEnder#fence}); every
 * {@code transaction.remove.expired.transaction.cleanup.interval.ms} the ids idle for
 * {@code transactional.id.expiration.ms} in a state that allows it (Empty, CompleteCommit, CompleteAbort) are
 * removed with a tombstone. The sweep deadlines are in memory and start again at each load.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class TransactionExpiry {
    private final TransactionCoordinatorConfig config;
    private final TransactionStore store;
    private final TransactionEnder ender;
    private long nextAbortSweepMs = Long.MAX_VALUE;
    private long nextExpirationSweepMs = Long.MAX_VALUE;

    public TransactionExpiry(TransactionCoordinatorConfig config, TransactionStore store, TransactionEnder ender) {
        this.config = config;
        this.store = store;
        this.ender = ender;
    }

    /** Starts both sweeps' schedules. */
    public void start(long nowMs) {
        nextAbortSweepMs = nowMs + config.abortTimedOutTransactionsIntervalMs();
        nextExpirationSweepMs = nowMs + config.removeExpiredTransactionalIdsIntervalMs();
    }

    public void stop() {
        nextAbortSweepMs = Long.MAX_VALUE;
        nextExpirationSweepMs = Long.MAX_VALUE;
    }

    public long nextDeadlineMs() {
        return Math.min(nextAbortSweepMs, nextExpirationSweepMs);
    }

    /** Runs the sweeps due at the effects' time. */
    public void poll(TransactionEffects effects) {
        long nowMs = effects.nowMs();
        if (nowMs >= nextAbortSweepMs) {
            abortTimedOut(effects);
            nextAbortSweepMs = nowMs + config.abortTimedOutTransactionsIntervalMs();
        }
        if (nowMs >= nextExpirationSweepMs) {
            removeExpired(effects);
            nextExpirationSweepMs = nowMs + config.removeExpiredTransactionalIdsIntervalMs();
        }
    }

    /** Aborts, with a fencing epoch bump, every ongoing transaction that outlived its timeout. */
    public void abortTimedOut(TransactionEffects effects) {
        for (TransactionMetadata metadata : sorted()) {
            if (metadata.state() == TransactionState.ONGOING
                    && metadata.startTimestampMs() + metadata.timeoutMs() < effects.nowMs()) {
                // Without a producer id for an exhausted epoch's rotation nothing is written: the next sweep tries again.
                ender.fence(effects, metadata);
            }
        }
    }

    /** Removes every id idle for {@code transactional.id.expiration.ms} with no transaction in progress. */
    public void removeExpired(TransactionEffects effects) {
        for (TransactionMetadata metadata : sorted()) {
            if (metadata.state().isExpirationAllowed()
                    && metadata.lastUpdateTimestampMs() <= effects.nowMs() - config.transactionalIdExpirationMs()) {
                effects.remove(metadata.transactionalId());
            }
        }
    }

    private List<TransactionMetadata> sorted() {
        return new ArrayList<>(store.durableState().values());
    }
}
