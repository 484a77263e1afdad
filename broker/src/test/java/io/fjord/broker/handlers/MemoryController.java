package io.fjord.broker.handlers;

import io.fjord.broker.MetadataPublication;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A controller over a metadata log in memory, for handler tests: operations run one at a time on its thread, their
 * records are kept in {@link #records} (each operation's at consecutive offsets), replayed and published before the
 * response completes. The quorum controller's own tests cover commits through Raft. Thread-safe.
 */
final class MemoryController implements MetadataController, AutoCloseable {
    final List<MetadataRecord> records = new CopyOnWriteArrayList<>();
    private final MetadataPublication publication;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    MemoryController(MetadataPublication publication) {
        this.publication = publication;
    }

    @Override
    public <T> CompletableFuture<T> submit(Function<MetadataImage, ControllerResult<T>> operation) {
        return CompletableFuture.supplyAsync(() -> {
            MetadataImage previous = publication.image();
            ControllerResult<T> decided = operation.apply(previous);
            if (!decided.records().isEmpty()) {
                MetadataDelta delta = new MetadataDelta(previous);
                for (MetadataRecord record : decided.records()) {
                    delta.replay(record, records.size());
                    records.add(record);
                }
                publication.publish(previous, delta.apply());
            }
            return decided.response();
        }, thread);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
