package io.fjord.storage.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounds how many inactive segments keep their file and index mappings open, across all logs of a node (and holds
 * the node's {@link RecentAppendsBudget}, the other limit all its segments share). Segments
 * open lazily on first read and register here; past the limit, the least recently used idle segment closes, and a
 * sweep closes segments idle longer than a set time. Segments in use (read slices outstanding, or the active
 * segment) never close; the limit is then exceeded until they are released.
 *
 * <p>Thread-safe: one monitor guards the LRU order. Lock order is cache, then segment.
 */
public final class SegmentHandleCache {
    private final int openSegmentsMax;
    private final long idleCloseNanos;
    private final Map<LogSegment, Long> lastUseNanos = new LinkedHashMap<>(64, 0.75f, true);
    private final RecentAppendsBudget recentAppendsBudget;

    /** A cache whose segments share a budget for recent appends of a sixteenth of the heap, at most 64 MiB. */
    public SegmentHandleCache(int openSegmentsMax, long idleCloseMs) {
        this(openSegmentsMax, idleCloseMs, RecentAppendsBudget.ofHeap());
    }

    /**
     * @param recentAppendsBudget the memory the same segments may hold in their last appends ({@link RecentAppends}), a
     *                   node-wide limit like the open segments'
     */
    public SegmentHandleCache(int openSegmentsMax, long idleCloseMs, RecentAppendsBudget recentAppendsBudget) {
        if (openSegmentsMax < 1) {
            throw new IllegalArgumentException("openSegmentsMax must be positive");
        }
        if (idleCloseMs < 0) {
            throw new IllegalArgumentException("idleCloseMs must not be negative");
        }
        this.openSegmentsMax = openSegmentsMax;
        // Saturate: a large idle time (e.g. Long.MAX_VALUE for "never") must not overflow into a negative one.
        this.idleCloseNanos = idleCloseMs > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : idleCloseMs * 1_000_000L;
        this.recentAppendsBudget = recentAppendsBudget;
    }

    /** The memory budget of the segments' recent appends. */
    public RecentAppendsBudget recentAppendsBudget() {
        return recentAppendsBudget;
    }

    /** A cache with room for every segment that will ever be open, for tests and tools. */
    public static SegmentHandleCache unbounded() {
        return new SegmentHandleCache(Integer.MAX_VALUE, Long.MAX_VALUE / 1_000_000L);
    }

    /** Records a use of an open segment, then closes the least recently used ones past the limit. */
    public void touched(LogSegment segment, long nowNanos) {
        synchronized (this) {
            lastUseNanos.put(segment, nowNanos);
            int excess = lastUseNanos.size() - openSegmentsMax;
            Iterator<LogSegment> eldest = lastUseNanos.keySet().iterator();
            while (excess > 0 && eldest.hasNext()) {
                LogSegment candidate = eldest.next();
                if (candidate != segment && candidate.closeHandlesIfUnused()) {
                    eldest.remove();
                    excess--;
                }
            }
        }
    }

    /** Forgets a segment that closed or was deleted. */
    public synchronized void forget(LogSegment segment) {
        lastUseNanos.remove(segment);
    }

    /** Closes segments unused for longer than the idle time. */
    public synchronized int closeIdle(long nowNanos) {
        int closed = 0;
        Iterator<Map.Entry<LogSegment, Long>> entries = lastUseNanos.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<LogSegment, Long> entry = entries.next();
            if (nowNanos - entry.getValue() < idleCloseNanos) {
                break; // access order: everything after is more recent
            }
            if (entry.getKey().closeHandlesIfUnused()) {
                entries.remove();
                closed++;
            }
        }
        return closed;
    }

    public synchronized int openCount() {
        return lastUseNanos.size();
    }
}
