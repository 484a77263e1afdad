package io.fjord.broker.handlers;

import io.fjord.broker.delayed.DelayedOperation;
import io.fjord.broker.fetch.PartitionToFetch;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A Fetch that waits in the purgatory for {@code minBytes} of records, up to {@code maxWaitMs} (Kafka's
 * DelayedFetch). It watches its partitions; an append (through {@link FetchHandler#onPartitionChanged}) checks it.
 * It completes when its partitions hold at least {@code minBytes} readable bytes within the request's limits, when
 * one of them can no longer be read as before (an error: the topic went away, leadership or epoch changed, the
 * offset fell out of range; or a diverging epoch or a preferred read replica to report), or at its timeout.
 * Completion runs {@code onReady} with the read that satisfied the check, so the answer needs neither a second read
 * nor a hop to another thread (a follower's fetch is answered as soon as the leader appends, as in Kafka); with null
 * when the fetch expired or was forced (then it reads again, elsewhere).
 *
 * <p>A check that does not complete releases what it read at once, so nothing is held while waiting.
 *
 * <p>Thread-safe: checks run under the operation's lock; {@code onReady} runs exactly once, on the thread that
 * completed the operation (an appender or the purgatory's reaper), so it must only build the answer, never block.
 * The satisfying read is handed over through an atomic claim: exactly one of the completing thread and the check
 * that lost the race for completion ends up owning (and answering with or releasing) it.
 */
public final class DelayedFetch extends DelayedOperation {
    private final List<PartitionToFetch> partitions;
    private final PartitionReader.FetchParameters parameters;
    private final PartitionReader reader;
    private final Consumer<PartitionReader.ReadResult> onReady;
    /** The read that satisfied a check, until {@link #onComplete()} or the losing check claims it. */
    private final AtomicReference<PartitionReader.ReadResult> satisfyingRead = new AtomicReference<>();

    DelayedFetch(List<PartitionToFetch> partitions, PartitionReader.FetchParameters parameters,
            PartitionReader reader, Consumer<PartitionReader.ReadResult> onReady) {
        super(parameters.maxWaitMs());
        this.partitions = List.copyOf(partitions);
        this.parameters = parameters;
        this.reader = reader;
        this.onReady = onReady;
    }

    @Override
    protected boolean tryComplete() {
        PartitionReader.ReadResult available = reader.readAll(partitions, parameters);
        if (!available.mustAnswerNow() && available.recordBytes() < parameters.minBytes()) {
            available.release();
            return false;
        }
        satisfyingRead.set(available);
        if (forceComplete()) {
            return true;
        }
        // Expired or forced meanwhile: whoever completed it may have taken this read; if not, it is ours to drop.
        PartitionReader.ReadResult unclaimed = satisfyingRead.getAndSet(null);
        if (unclaimed != null) {
            unclaimed.release();
        }
        return false;
    }

    @Override
    protected void onComplete() {
        onReady.accept(satisfyingRead.getAndSet(null));
    }

    @Override
    protected void onExpiration() {
        // Nothing beyond onComplete: the fetch answers with whatever is there.
    }
}
