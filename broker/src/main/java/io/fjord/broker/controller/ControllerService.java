package io.fjord.broker.controller;

import io.fjord.broker.MetadataPublication;
import io.fjord.metadata.MetadataBatchTooLargeException;
import io.fjord.metadata.MetadataLog;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs controller operations one at a time on its own thread: the operation decides from the current image (pure),
 * its records are appended to the metadata log and made durable, then replayed into a new image that is published.
 * The response is released only after its records are durable (the brief's rule for replicated state machines).
 * An operation may write at most {@link OperationLimits#RECORDS_PER_OPERATION_MAX} records; the operations refuse
 * larger requests themselves, and one that does not fails here rather than being appended. An operation whose
 * records exceed the metadata log's batch size fails with {@link MetadataBatchTooLargeException}, nothing appended.
 * A failed operation leaves the image as it was; its future fails, and the handlers answer the failure with an
 * error code for every topic or resource ({@code ControllerFailures}), never by closing the connection.
 *
 * <p>Thread-safe: callers submit from any thread; all state is owned by the single controller thread, which
 * {@link #start()} creates.
 */
public final class ControllerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);

    private final MetadataLog log;
    private final MetadataPublication publication;
    private ExecutorService thread;

    public ControllerService(MetadataLog log, MetadataPublication publication) {
        this.log = log;
        this.publication = publication;
    }

    public synchronized void start() {
        thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread controller = new Thread(runnable, "fjord-controller");
            controller.setDaemon(true);
            return controller;
        });
    }

    /** Decides, persists and applies one operation; the future completes with its response. */
    public <T> CompletableFuture<T> submit(Function<MetadataImage, ControllerResult<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    ControllerResult<T> decided = operation.apply(publication.image());
                    if (decided.records().size() > OperationLimits.RECORDS_PER_OPERATION_MAX) {
                        // Each operation refuses this itself with Kafka's error; this is the last line of defence.
                        throw new IllegalStateException("a controller operation produced " + decided.records().size()
                                + " records, more than " + OperationLimits.RECORDS_PER_OPERATION_MAX);
                    }
                    apply(decided.records());
                    result.complete(decided.response());
                } catch (MetadataBatchTooLargeException e) {
                    // The request's fault, not the node's: the handler answers it with Kafka's error code.
                    LOG.info("Refused a controller operation: {}", e.getMessage());
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    LOG.error("Controller operation failed", e);
                    result.completeExceptionally(e);
                } catch (Error e) {
                    // Escapes the task, so the thread's uncaught-exception handler (the node's fatal error handler)
                    // hears of it; the caller is not left waiting meanwhile.
                    result.completeExceptionally(e);
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private void apply(List<MetadataRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        MetadataImage previous = publication.image();
        long lastOffset = log.append(records);
        MetadataDelta delta = new MetadataDelta(previous);
        long offset = lastOffset - records.size() + 1;
        for (MetadataRecord record : records) {
            delta.replay(record, offset++);
        }
        publication.publish(previous, delta.apply());
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdown();
            try {
                if (!thread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    thread.shutdownNow();
                }
            } catch (InterruptedException e) {
                thread.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
