package io.fjord.broker.handlers;

import io.fjord.broker.delayed.DelayedOperation;
import io.fjord.broker.fetch.PartitionToFetch;
import java.util.List;

/**
 * A Fetch that waits in the purgatory for {@code minBytes} of records, up to {@code maxWaitMs} (Kafka's
 * DelayedFetch). It watches its partitions; an append (through {@link FetchHandler#onPartitionChanged}) checks it.
 * It completes when its partitions hold at least {@code minBytes} readable bytes within the request's limits, when
 * one of them can no longer be read as before (an error: the topic went away, leadership or epoch changed, the
 * offset fell out of range; or a diverging epoch or a preferred read replica to report), or at its timeout.
 * Completion runs {@code onReady}, which reads again and answers.
 *
 * <p>The check reads the logs to count bytes and releases what it read at once, so nothing is held while waiting.
 *
 * <p>Thread-safe: checks run under the operation's lock; {@code onReady} runs exactly once, on the thread that
 * completed the operation (an appender or the purgatory's reaper), so it must only hand work off, never block.
 */
public final class DelayedFetch extends DelayedOperation {
    private final List<PartitionToFetch> partitions;
    private final PartitionReader.FetchParameters parameters;
    private final PartitionReader reader;
    private final Runnable onReady;

    DelayedFetch(List<PartitionToFetch> partitions, PartitionReader.FetchParameters parameters,
            PartitionReader reader, Runnable onReady) {
        super(parameters.maxWaitMs());
        this.partitions = List.copyOf(partitions);
        this.parameters = parameters;
        this.reader = reader;
        this.onReady = onReady;
    }

    @Override
    protected boolean tryComplete() {
        PartitionReader.ReadResult available = reader.readAll(partitions, parameters);
        available.release();
        if (available.mustAnswerNow() || available.recordBytes() >= parameters.minBytes()) {
            return forceComplete();
        }
        return false;
    }

    @Override
    protected void onComplete() {
        onReady.run();
    }

    @Override
    protected void onExpiration() {
        // Nothing beyond onComplete: the fetch answers with whatever is there.
    }
}
