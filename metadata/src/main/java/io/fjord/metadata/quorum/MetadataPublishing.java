package io.fjord.metadata.quorum;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The second stage of the {@link MetadataLoader}: hands the images the loader applied to the attached
 * {@link ImagePublisher} on a thread of its own ({@code fjord-metadata-publisher}), so a slow publisher (a broker
 * creating a thousand partition logs) never holds up the loader, and through it neither the controller, which decides
 * from the applied image, nor the Raft driver. Images queued while the publisher works are merged into one
 * publication (the first one's previous image, the last one's image, the union of their changes), so the queue holds
 * at most one publication between two attachments, however far the loader runs ahead.
 *
 * <p>A publisher that throws stops this stage for good: the failure handler (the loader's) hears of it and every
 * waiter fails.
 *
 * <p>Thread-safe: {@link #enqueue}, {@link #attach} and the waiters from any thread, under one lock; the publisher
 * and the published image are owned by the publishing thread, started by {@link #start()}; the published image and
 * offset are read through volatiles.
 */
final class MetadataPublishing {
    private sealed interface Item permits Publication, Attach {
    }

    /** Images from {@code previous} to {@code current}, every entry below {@code endOffset} applied. */
    private record Publication(MetadataImage previous, MetadataImage current, MetadataChanges changes,
                               long endOffset) implements Item {
    }

    private record Attach(ImagePublisher publisher, CompletableFuture<Void> attached) implements Item {
    }

    private final int nodeId;
    private final Consumer<Throwable> onFailure;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}; at most one publication between two attachments. */
    private final Deque<Item> queue = new ArrayDeque<>();
    /** Waiters by the end offset they wait for; guarded by {@link #lock}. */
    private final TreeMap<Long, List<CompletableFuture<MetadataImage>>> waiters = new TreeMap<>();
    private Throwable failure;
    private boolean running;
    private Thread thread;
    /** Owned by the publishing thread. */
    private ImagePublisher publisher;
    private volatile MetadataImage publishedImage = MetadataImage.EMPTY;
    private volatile long publishedEndOffset;

    MetadataPublishing(int nodeId, Consumer<Throwable> onFailure) {
        this.nodeId = nodeId;
        this.onFailure = onFailure;
    }

    void start() {
        synchronized (lock) {
            running = true;
            thread = new Thread(this::run, "fjord-metadata-publisher");
            thread.setDaemon(true);
        }
        thread.start();
    }

    /** The newest image handed to the publisher (or passed over while none was attached). */
    MetadataImage publishedImage() {
        return publishedImage;
    }

    /** The offset after the last entry whose image was published. */
    long publishedEndOffset() {
        return publishedEndOffset;
    }

    /** Queues the images from {@code previous} to {@code current}, which holds every entry below {@code endOffset}. */
    void enqueue(MetadataImage previous, MetadataImage current, MetadataChanges changes, long endOffset) {
        synchronized (lock) {
            if (queue.peekLast() instanceof Publication last) {
                // The publisher has not started on it: one publication from its previous image to this one.
                queue.pollLast();
                queue.addLast(new Publication(last.previous(), current,
                        MetadataChanges.merge(last.previous(), last.changes(), changes, current), endOffset));
            } else {
                queue.addLast(new Publication(previous, current, changes, endOffset));
            }
            lock.notifyAll();
        }
    }

    /** See {@link MetadataLoader#attach}. */
    CompletableFuture<Void> attach(ImagePublisher attaching) {
        CompletableFuture<Void> attached = new CompletableFuture<>();
        synchronized (lock) {
            if (failure != null) {
                attached.completeExceptionally(new IllegalStateException("the metadata loader stopped", failure));
                return attached;
            }
            queue.addLast(new Attach(attaching, attached));
            lock.notifyAll();
        }
        return attached;
    }

    /** Completes with the published image once every entry below {@code endOffset} is published. */
    CompletableFuture<MetadataImage> awaitPublished(long endOffset) {
        CompletableFuture<MetadataImage> future = new CompletableFuture<>();
        synchronized (lock) {
            if (failure != null) {
                future.completeExceptionally(new IllegalStateException("the metadata loader stopped", failure));
            } else if (publishedEndOffset >= endOffset) {
                future.complete(publishedImage);
            } else {
                waiters.computeIfAbsent(endOffset, ignored -> new ArrayList<>()).add(future);
            }
        }
        return future;
    }

    private void run() {
        try {
            while (true) {
                Item item;
                synchronized (lock) {
                    while (running && queue.isEmpty()) {
                        lock.wait();
                    }
                    if (!running) {
                        return;
                    }
                    item = queue.pollFirst();
                }
                handle(item);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            onFailure.accept(e);
        }
    }

    private void handle(Item item) {
        if (item instanceof Publication publication) {
            if (publisher != null) {
                publisher.publish(publication.previous(), publication.current(), publication.changes());
            }
            publishedImage = publication.current();
            publishedEndOffset = publication.endOffset();
            wake();
        } else if (item instanceof Attach attach) {
            MetadataImage current = publishedImage;
            attach.publisher().publish(MetadataImage.EMPTY, current, MetadataChanges.between(MetadataImage.EMPTY,
                    current));
            publisher = attach.publisher();
            attach.attached().complete(null);
        }
    }

    private void wake() {
        List<CompletableFuture<MetadataImage>> ready = new ArrayList<>();
        synchronized (lock) {
            Map<Long, List<CompletableFuture<MetadataImage>>> reached = waiters.headMap(publishedEndOffset, true);
            reached.values().forEach(ready::addAll);
            reached.clear();
        }
        MetadataImage current = publishedImage;
        ready.forEach(future -> future.complete(current));
    }

    /** Stops for good: nothing more is published and every waiter (and pending attachment) fails. */
    void fail(Throwable cause) {
        List<CompletableFuture<?>> waiting = new ArrayList<>();
        synchronized (lock) {
            if (failure == null) {
                failure = cause;
            }
            running = false;
            waiters.values().forEach(waiting::addAll);
            waiters.clear();
            for (Item item : queue) {
                if (item instanceof Attach attach) {
                    waiting.add(attach.attached());
                }
            }
            queue.clear();
            lock.notifyAll();
        }
        waiting.forEach(future -> future.completeExceptionally(
                new IllegalStateException("the metadata loader stopped on node " + nodeId, cause)));
    }

    /** Stops the publishing thread after the item it is publishing; waiters fail. */
    void close() {
        Thread publishing;
        synchronized (lock) {
            publishing = thread;
        }
        fail(new IllegalStateException("the loader closed"));
        if (publishing != null && publishing != Thread.currentThread()) {
            try {
                publishing.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
