package io.fjord.broker.coordinator.group.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deterministic keyed timers of one coordinator shard: scheduling a key again replaces its timer, and
 * {@link #poll} runs the due ones in deadline order (ties in scheduling order), including those a running action
 * schedules for a time already past. No threads: time moves only when the caller polls.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class Timers {
    private final TreeMap<Slot, Timer> byDeadline = new TreeMap<>();
    private final Map<String, Slot> byKey = new HashMap<>();
    private long nextSequence;

    /** Runs when its timer is due. */
    @FunctionalInterface
    public interface Action {
        void fire(Effects effects);
    }

    public void schedule(String key, long deadlineMs, Action action) {
        cancel(key);
        Slot slot = new Slot(deadlineMs, nextSequence++);
        byDeadline.put(slot, new Timer(key, action));
        byKey.put(key, slot);
    }

    public void cancel(String key) {
        Slot slot = byKey.remove(key);
        if (slot != null) {
            byDeadline.remove(slot);
        }
    }

    public boolean isScheduled(String key) {
        return byKey.containsKey(key);
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} when nothing is scheduled. */
    public long nextDeadlineMs() {
        return byDeadline.isEmpty() ? Long.MAX_VALUE : byDeadline.firstKey().deadlineMs();
    }

    /** Runs every timer due at {@code effects.nowMs()}. */
    public void poll(Effects effects) {
        while (!byDeadline.isEmpty() && byDeadline.firstKey().deadlineMs() <= effects.nowMs()) {
            Map.Entry<Slot, Timer> first = byDeadline.pollFirstEntry();
            byKey.remove(first.getValue().key());
            first.getValue().action().fire(effects);
        }
    }

    public void clear() {
        byDeadline.clear();
        byKey.clear();
    }

    public int size() {
        return byKey.size();
    }

    private record Slot(long deadlineMs, long sequence) implements Comparable<Slot> {
        @Override
        public int compareTo(Slot other) {
            int byTime = Long.compare(deadlineMs, other.deadlineMs);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private record Timer(String key, Action action) {
    }
}
