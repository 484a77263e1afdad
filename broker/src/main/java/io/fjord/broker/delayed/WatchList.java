package io.fjord.broker.delayed;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The operations watching one key of a {@link DelayedOperationPurgatory}.
 *
 * <p>Thread-safe: a lock-free queue; several threads may check, add and purge at once.
 */
final class WatchList<T extends DelayedOperation> {
    private final ConcurrentLinkedQueue<T> operations = new ConcurrentLinkedQueue<>();

    void watch(T operation) {
        operations.add(operation);
    }

    /** Tries to complete every watching operation; drops completed ones. Returns how many this call completed. */
    int tryCompleteWatched() {
        int completed = 0;
        Iterator<T> iterator = operations.iterator();
        while (iterator.hasNext()) {
            T operation = iterator.next();
            if (operation.isCompleted()) {
                iterator.remove();
            } else if (operation.safeTryComplete()) {
                iterator.remove();
                completed++;
            }
        }
        return completed;
    }

    /** Drops the completed operations; returns how many it dropped. */
    int purgeCompleted() {
        int purged = 0;
        Iterator<T> iterator = operations.iterator();
        while (iterator.hasNext()) {
            if (iterator.next().isCompleted()) {
                iterator.remove();
                purged++;
            }
        }
        return purged;
    }

    int size() {
        return operations.size();
    }

    boolean isEmpty() {
        return operations.isEmpty();
    }
}
