package io.fjord.metadata.quorum;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RoleChange;
import io.fjord.raft.driver.RaftListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the committed metadata log on every node: each committed entry's records are replayed into the next
 * {@link MetadataImage}, which goes to the attached {@link ImagePublisher} with the image before it. The Raft driver
 * hands entries over ({@link RaftListener}) and goes on; the loader's own thread applies them and hands each image to
 * a second thread that publishes it ({@link MetadataPublishing}), so creating a thousand partition logs holds up
 * neither the quorum nor the applying, and the controller, which decides from the applied image, never waits for a
 * publisher. Waiters learn when an offset is applied ({@link #awaitApplied}), when its image is published
 * ({@link #awaitPublished}), and when a leader's epoch has begun here ({@link #awaitLeaderChange}): a new controller
 * decides only once every entry committed before its epoch is in its image.
 *
 * <p>Snapshots: past {@link MetadataSnapshotPolicy}'s bytes of entries applied since the latest snapshot, or its
 * interval, the loader encodes its image ({@link MetadataSnapshots}) and hands it to its {@link SnapshotWriter} (the
 * Raft driver) at its applied offset; the driver saves it and deletes the log below. A snapshot loaded by the driver
 * (the latest on disk at start, or one fetched from the leader) replaces the image, published to the attached
 * publisher as a change from the image before, so a node that installs a leader's snapshot creates and deletes
 * logs as the entries it skipped would have.
 *
 * <p>An entry or a snapshot that cannot be applied (a damaged log, a record contradicting the image, a failing
 * publisher) stops the loader for good: it logs the cause, fails every waiter and applies nothing more, so the node
 * never serves an image that skipped a change. A snapshot that cannot be saved (too large, a storage error) is
 * logged and the log keeps its entries.
 *
 * <p>Thread-safe: the Raft callbacks enqueue (blocking when {@value #QUEUE_CAPACITY} events wait, which slows the
 * driver rather than dropping committed entries); the image and offsets are published through volatiles; the loader
 * thread and the publishing thread, started by {@link #start()}, own the rest.
 */
public final class MetadataLoader implements RaftListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataLoader.class);
    static final int QUEUE_CAPACITY = 65_536;

    private final int nodeId;
    private final MetadataSnapshotPolicy snapshotPolicy;
    private final LongSupplier clockMs;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final Object waitersLock = new Object();
    /** Waiters by the end offset they wait for; guarded by {@link #waitersLock}. */
    private final TreeMap<Long, List<CompletableFuture<MetadataImage>>> appliedWaiters = new TreeMap<>();
    /** Waiters by the leader epoch whose first entry they wait for; guarded by {@link #waitersLock}. */
    private final TreeMap<Integer, List<CompletableFuture<MetadataImage>>> epochWaiters = new TreeMap<>();
    private Thread thread;
    private final MetadataPublishing publishing;
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile long appliedEndOffset;
    /** Images of the run of events being applied, handed to publication at its end; loader thread only. */
    private final List<PendingPublication> pendingPublications = new ArrayList<>();
    private volatile int leaderChangeEpoch = -1;
    private volatile Throwable failure;
    private volatile boolean running;
    private volatile SnapshotWriter snapshotWriter;
    /** The latest snapshot loaded or saved (the one with the highest offset), null before the first. */
    private final AtomicReference<OffsetAndEpoch> latestSnapshotId = new AtomicReference<>();
    /** Set by the loader's thread when it hands a snapshot over, cleared by the writer's completion. */
    private final AtomicBoolean snapshotInFlight = new AtomicBoolean();
    /** Created and used by the loader's thread only. */
    private SnapshotTrigger snapshotTrigger;

    /** A loader with Kafka's snapshot defaults and the system's monotonic clock. */
    public MetadataLoader(int nodeId) {
        this(nodeId, MetadataSnapshotPolicy.defaults(), () -> System.nanoTime() / 1_000_000);
    }

    /**
     * @param snapshotPolicy when to snapshot (snapshots are only taken once {@link #snapshotWriter} is set)
     * @param clockMs        a monotonic clock for the snapshot interval
     */
    public MetadataLoader(int nodeId, MetadataSnapshotPolicy snapshotPolicy, LongSupplier clockMs) {
        this.nodeId = nodeId;
        this.snapshotPolicy = snapshotPolicy;
        this.clockMs = clockMs;
        this.publishing = new MetadataPublishing(nodeId, this::fail);
    }

    /**
     * Where snapshots go: the Raft driver's {@code createSnapshot}. Set once, before {@link #start()}; the driver is
     * built after its listener, hence a setter. Without one the loader takes no snapshot.
     */
    public void snapshotWriter(SnapshotWriter writer) {
        if (snapshotWriter != null) {
            throw new IllegalStateException("the snapshot writer is set already");
        }
        snapshotWriter = writer;
    }

    /** Starts the loader's thread and the publishing thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        publishing.start();
        thread = new Thread(this::run, "fjord-metadata-loader");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * From now on {@code publisher} receives every new image; it first receives the current one as a change from
     * the empty image. The future completes once that first publication is done.
     */
    public CompletableFuture<Void> attach(ImagePublisher publisher) {
        return publishing.attach(publisher);
    }

    /** The newest image applied (its publication may still be under way). */
    public MetadataImage image() {
        return image;
    }

    /** The offset after the last entry applied (entries of every type count). */
    public long appliedEndOffset() {
        return appliedEndOffset;
    }

    /**
     * The newest image the attached publisher has received (what this node's broker serves), at most
     * {@link #image()}.
     */
    public MetadataImage publishedImage() {
        return publishing.publishedImage();
    }

    /** Completes with the applied image once every entry below {@code endOffset} is applied. */
    public CompletableFuture<MetadataImage> awaitApplied(long endOffset) {
        return await(appliedWaiters, endOffset, () -> appliedEndOffset >= endOffset);
    }

    /**
     * Completes with the published image once every entry below {@code endOffset} is applied and its image handed
     * to the publisher (published).
     */
    public CompletableFuture<MetadataImage> awaitPublished(long endOffset) {
        return publishing.awaitPublished(endOffset);
    }

    /**
     * Completes with the image once the first entry of leader epoch {@code epoch} (or of a later one) is applied:
     * everything committed before that epoch is then in the image.
     */
    public CompletableFuture<MetadataImage> awaitLeaderChange(int epoch) {
        return await(epochWaiters, epoch, () -> leaderChangeEpoch >= epoch);
    }

    private <K> CompletableFuture<MetadataImage> await(TreeMap<K, List<CompletableFuture<MetadataImage>>> waiters,
            K key, java.util.function.BooleanSupplier reached) {
        CompletableFuture<MetadataImage> future = new CompletableFuture<>();
        synchronized (waitersLock) {
            if (failure != null) {
                future.completeExceptionally(new IllegalStateException("the metadata loader stopped", failure));
            } else if (reached.getAsBoolean()) {
                future.complete(image);
            } else {
                waiters.computeIfAbsent(key, ignored -> new ArrayList<>()).add(future);
            }
        }
        return future;
    }

    // ---------------------------------------------------------------- Raft callbacks (the driver's thread)

    @Override
    public void onCommitted(LogEntry entry) {
        enqueue(new Committed(entry));
    }

    @Override
    public void onSnapshotLoaded(OffsetAndEpoch snapshotId, byte[] state) {
        enqueue(new SnapshotLoaded(snapshotId, state));
    }

    @Override
    public void onRoleChange(RoleChange change) {
        // The controller reads roles from the driver; the loader follows the log alone.
    }

    @Override
    public void onFailure(String reason, Throwable cause) {
        LOG.error("The metadata quorum stopped on node {}: {}", nodeId, reason);
    }

    private void enqueue(Event event) {
        try {
            events.put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing an event to the metadata loader", e);
        }
    }

    // ---------------------------------------------------------------- the loader's thread

    private void run() {
        List<Event> batch = new ArrayList<>();
        snapshotTrigger = new SnapshotTrigger(snapshotPolicy, clockMs.getAsLong());
        try {
            while (running) {
                Event first = events.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    events.drainTo(batch, 4096);
                    handle(batch);
                    batch.clear();
                }
                // Also when idle: the interval may pass with no new entry.
                maybeSnapshot();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** Applies a run of events, publishing one image for each run of committed entries. */
    private void handle(List<Event> batch) {
        MetadataImage previous = image;
        MetadataDelta delta = null;
        long endOffset = appliedEndOffset;
        int epoch = leaderChangeEpoch;
        for (Event event : batch) {
            if (event instanceof Committed committed) {
                LogEntry entry = committed.entry;
                if (entry.offset() != endOffset) {
                    throw new IllegalStateException("metadata entry " + entry.offset() + " after " + (endOffset - 1));
                }
                if (entry.type() == EntryType.DATA) {
                    if (delta == null) {
                        delta = new MetadataDelta(previous);
                    }
                    for (MetadataRecord record : MetadataEntries.decode(entry.payload())) {
                        delta.replay(record, entry.offset());
                    }
                } else if (entry.type() == EntryType.LEADER_CHANGE) {
                    // Published after the records before it, so a waiter sees them in the image.
                    epoch = Math.max(epoch, entry.epoch());
                }
                endOffset = entry.offset() + 1;
                snapshotTrigger.applied(entry.payload().length);
            } else if (event instanceof SnapshotLoaded loaded) {
                previous = publish(previous, delta, endOffset);
                delta = null;
                MetadataImage snapshot = MetadataSnapshots.decode(loaded.state);
                endOffset = loaded.snapshotId.offset();
                publishImage(previous, snapshot, MetadataChanges.between(previous, snapshot), endOffset);
                previous = snapshot;
                // Every epoch begins with its LEADER_CHANGE entry, so the epoch of the snapshot's last entry began.
                epoch = Math.max(epoch, loaded.snapshotId.epoch());
                noteSnapshot(loaded.snapshotId);
                snapshotTrigger.reset(clockMs.getAsLong());
                LOG.info("Node {} loaded metadata snapshot {} ({} bytes)", nodeId, loaded.snapshotId,
                        loaded.state.length);
            }
        }
        publish(previous, delta, endOffset);
        appliedEndOffset = endOffset;
        leaderChangeEpoch = epoch;
        // Handed over only now, so whatever a publisher or a waiter for publication sees is applied already.
        for (PendingPublication pending : pendingPublications) {
            publishing.enqueue(pending.previous(), pending.current(), pending.changes(), pending.endOffset());
        }
        pendingPublications.clear();
        wake();
    }

    /** An image applied within the current run of events, to be handed to the publishing thread at its end. */
    private record PendingPublication(MetadataImage previous, MetadataImage current, MetadataChanges changes,
                                      long endOffset) {
    }

    private MetadataImage publish(MetadataImage previous, MetadataDelta delta, long endOffset) {
        if (delta == null) {
            return previous;
        }
        MetadataImage current = delta.apply();
        publishImage(previous, current, delta.changes(), endOffset);
        return current;
    }

    /**
     * The image is applied now; the publishing thread hands it to the publisher when it gets to it, after the run of
     * events it belongs to is applied.
     */
    private void publishImage(MetadataImage previous, MetadataImage current, MetadataChanges changes,
                              long endOffset) {
        image = current;
        pendingPublications.add(new PendingPublication(previous, current, changes, endOffset));
    }

    /**
     * Hands a snapshot of the image at the applied offset to the writer when the trigger says so and no earlier
     * one is still being saved. The trigger restarts even when the snapshot is refused, so a too large image is
     * logged once per interval, not once per entry.
     */
    private void maybeSnapshot() {
        SnapshotWriter writer = snapshotWriter;
        long nowMs = clockMs.getAsLong();
        if (writer == null || snapshotInFlight.get() || !snapshotTrigger.due(nowMs)) {
            return;
        }
        long offset = appliedEndOffset;
        long bytesSinceSnapshot = snapshotTrigger.bytesSinceSnapshot();
        snapshotTrigger.reset(nowMs);
        byte[] state;
        try {
            state = MetadataSnapshots.encode(image, snapshotPolicy.snapshotStateBytesMax());
        } catch (MetadataEntries.EncodingTooLargeException e) {
            LOG.error("Node {} skips the metadata snapshot at offset {}: its state takes more than the {} bytes a"
                    + " snapshot may take; the log keeps its entries", nodeId, offset,
                    snapshotPolicy.snapshotStateBytesMax());
            return;
        }
        LOG.debug("Node {} snapshots the metadata at offset {} ({} bytes applied since the latest snapshot)", nodeId,
                offset, bytesSinceSnapshot);
        snapshotInFlight.set(true);
        writer.createSnapshot(offset, state).whenComplete((snapshotId, error) -> {
            if (error != null) {
                LOG.warn("Node {} could not save the metadata snapshot at offset {}: {}", nodeId, offset,
                        String.valueOf(error));
            } else {
                noteSnapshot(snapshotId);
                LOG.info("Node {} saved metadata snapshot {} ({} bytes)", nodeId, snapshotId, state.length);
            }
            snapshotInFlight.set(false);
        });
    }

    private void wake() {
        List<CompletableFuture<MetadataImage>> ready = new ArrayList<>();
        synchronized (waitersLock) {
            drain(appliedWaiters.headMap(appliedEndOffset, true), ready);
            drain(epochWaiters.headMap(leaderChangeEpoch, true), ready);
        }
        MetadataImage current = image;
        ready.forEach(future -> future.complete(current));
    }

    private static <K> void drain(Map<K, List<CompletableFuture<MetadataImage>>> reached,
            List<CompletableFuture<MetadataImage>> into) {
        reached.values().forEach(into::addAll);
        reached.clear();
    }

    private void fail(Throwable cause) {
        LOG.error("Node {} stops applying metadata at offset {}: the log cannot be applied or published", nodeId,
                appliedEndOffset, cause);
        List<CompletableFuture<MetadataImage>> waiting = new ArrayList<>();
        synchronized (waitersLock) {
            failure = cause;
            drain(appliedWaiters, waiting);
            drain(epochWaiters, waiting);
        }
        waiting.forEach(future -> future.completeExceptionally(
                new IllegalStateException("the metadata loader stopped", cause)));
        running = false;
        publishing.fail(cause);
    }

    /** The latest snapshot this loader loaded or had saved, null before the first. */
    public OffsetAndEpoch latestSnapshotId() {
        return latestSnapshotId.get();
    }

    private void noteSnapshot(OffsetAndEpoch snapshotId) {
        latestSnapshotId.accumulateAndGet(snapshotId,
                (latest, next) -> latest == null || latest.offset() < next.offset() ? next : latest);
    }

    /** The cause that stopped the loader, or null while it applies. */
    public Throwable failure() {
        return failure;
    }

    /** Stops the loader's thread; entries not yet applied are dropped (the log still holds them). */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            running = thread;
        }
        this.running = false;
        publishing.close();
        if (running != null) {
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<CompletableFuture<MetadataImage>> waiting = new ArrayList<>();
        synchronized (waitersLock) {
            drain(appliedWaiters, waiting);
            drain(epochWaiters, waiting);
        }
        waiting.forEach(future -> future.completeExceptionally(new IllegalStateException("the loader closed")));
    }

    private sealed interface Event permits Committed, SnapshotLoaded {
    }

    private record SnapshotLoaded(OffsetAndEpoch snapshotId, byte[] state) implements Event {
    }

    private record Committed(LogEntry entry) implements Event {
    }
}
