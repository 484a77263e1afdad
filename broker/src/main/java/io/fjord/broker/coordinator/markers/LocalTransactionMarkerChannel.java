package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.replica.ReplicaManager.AppendOutcome;
import io.fjord.broker.replica.ReplicaManager.MarkerAppend;
import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A marker channel that writes markers only into the partitions this node leads, through the replica manager's
 * WriteTxnMarkers path (acks=all, as Kafka writes markers), without the network: enough for a single node, and for
 * a cluster whose transactions touch only partitions the coordinator's node leads. Markers for partitions led
 * elsewhere are retried until this node leads them, the topic is gone (then the partition needs none, as Kafka
 * treats a deleted topic) or the markers are stale. It stands in for the network channel (WriteTxnMarkers to each
 * partition's leader) and writes {@code __consumer_offsets} markers as plain markers, not through the group
 * coordinator's completion.
 *
 * <p>Errors, as Kafka's marker channel treats them: INVALID_PRODUCER_EPOCH and TRANSACTION_COORDINATOR_FENCED
 * abandon the markers; so does the coordinator no longer being current ({@code current} false: this node no longer
 * leads the transaction's {@code __transaction_state} partition in the markers' coordinator epoch); every other error
 * (not leader, not enough replicas, timed out, storage error) is retried after {@code retryBackoffMs}.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread and never blocks; outcomes are reported on the replica
 * manager's completion threads or the channel's retry thread, which {@link #start} starts.
 */
public final class LocalTransactionMarkerChannel implements TransactionMarkerChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTransactionMarkerChannel.class);

    /** Appends markers as WriteTxnMarkers does ({@code ReplicaManager.appendTransactionMarkers}). */
    @FunctionalInterface
    public interface MarkerAppender {
        CompletableFuture<List<AppendOutcome>> append(long timeoutMs, List<MarkerAppend> markers);
    }

    private final MarkerAppender appender;
    private final Predicate<String> topicExists;
    private final Predicate<TransactionMarkers> current;
    private final long timeoutMs;
    private final long retryBackoffMs;
    private volatile Outcomes outcomes;
    private volatile ScheduledExecutorService retries;

    /**
     * @param topicExists whether the topic exists now (a marker for a deleted topic counts as written)
     * @param current     whether the markers' coordinator still leads their transaction log partition in their epoch
     * @param timeoutMs   how long one append waits for the in-sync replicas ({@code request.timeout.ms})
     */
    public LocalTransactionMarkerChannel(MarkerAppender appender, Predicate<String> topicExists,
            Predicate<TransactionMarkers> current, long timeoutMs, long retryBackoffMs) {
        this.appender = appender;
        this.topicExists = topicExists;
        this.current = current;
        this.timeoutMs = timeoutMs;
        this.retryBackoffMs = retryBackoffMs;
    }

    /** Starts the retry thread; outcomes go to {@code outcomes} from now on. */
    public synchronized void start(Outcomes reportTo) {
        this.outcomes = reportTo;
        retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fjord-transaction-markers");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void send(TransactionMarkers markers) {
        write(markers, markers.partitionList());
    }

    private void write(TransactionMarkers markers, List<TransactionPartition> partitions) {
        if (!current.test(markers)) {
            outcomes.markersAbandoned(markers, Errors.NOT_COORDINATOR);
            return;
        }
        TransactionMarker marker = new TransactionMarker(markers.commit(), markers.coordinatorEpoch());
        List<MarkerAppend> appends = new ArrayList<>(partitions.size());
        for (TransactionPartition partition : partitions) {
            appends.add(new MarkerAppend(new TopicPartition(partition.topic(), partition.partition()),
                    markers.producerId(), markers.producerEpoch(), marker));
        }
        appender.append(timeoutMs, appends).whenComplete((answers, failure) -> {
            if (failure != null) {
                LOG.warn("Cannot write the markers of {}: {}", markers.transactionalId(), failure.toString());
                retry(markers, partitions);
                return;
            }
            report(markers, partitions, answers);
        });
    }

    private void report(TransactionMarkers markers, List<TransactionPartition> partitions,
            List<AppendOutcome> answers) {
        List<TransactionPartition> again = new ArrayList<>();
        for (int index = 0; index < partitions.size(); index++) {
            TransactionPartition partition = partitions.get(index);
            Errors error = answers.get(index).error();
            if (error == Errors.NONE || !topicExists.test(partition.topic())) {
                outcomes.markerWritten(markers, partition);
            } else if (error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.TRANSACTION_COORDINATOR_FENCED) {
                outcomes.markersAbandoned(markers, error);
                return;
            } else {
                again.add(partition);
            }
        }
        if (!again.isEmpty()) {
            LOG.debug("Retrying {} markers of {}", again.size(), markers.transactionalId());
            retry(markers, again);
        }
    }

    private void retry(TransactionMarkers markers, List<TransactionPartition> partitions) {
        ScheduledExecutorService executor = retries;
        if (executor == null) {
            return;
        }
        try {
            executor.schedule(() -> {
                try {
                    write(markers, partitions);
                } catch (RuntimeException e) {
                    LOG.error("Cannot retry the markers of {}", markers.transactionalId(), e);
                }
            }, retryBackoffMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // Shutting down: the next leader of the transaction log partition sends them again.
        }
    }

    @Override
    public synchronized void close() {
        if (retries != null) {
            retries.shutdownNow();
            try {
                retries.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
