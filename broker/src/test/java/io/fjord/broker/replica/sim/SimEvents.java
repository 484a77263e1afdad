package io.fjord.broker.replica.sim;

import io.fjord.broker.delayed.ManualClock;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The simulation's event queue in simulated time, and the trace of what happened (the last lines are printed on a
 * failure). Events at the same time run in the order they were scheduled, so a seed always runs the same way.
 *
 * <p>Not thread-safe: the simulation's one thread owns it.
 */
final class SimEvents {
    private static final int TRACE_LINES_KEPT = 400;

    private record Event(long atMs, long sequence, String label, Runnable action) {
    }

    private final ManualClock clock;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            Comparator.comparingLong(Event::atMs).thenComparingLong(Event::sequence));
    private final Deque<String> trace = new ArrayDeque<>();
    private long sequence;
    private long steps;

    SimEvents(ManualClock clock) {
        this.clock = clock;
    }

    ManualClock clock() {
        return clock;
    }

    long nowMs() {
        return clock.millis();
    }

    long steps() {
        return steps;
    }

    void after(long delayMs, String label, Runnable action) {
        queue.add(new Event(clock.millis() + Math.max(0, delayMs), sequence++, label, action));
    }

    void at(long atMs, String label, Runnable action) {
        queue.add(new Event(Math.max(atMs, clock.millis()), sequence++, label, action));
    }

    /** Runs the next event if it is due by {@code untilMs}; returns false (the clock at {@code untilMs}) if none is. */
    boolean runNext(long untilMs) {
        Event next = queue.peek();
        if (next == null || next.atMs() > untilMs) {
            clock.advance(untilMs - clock.millis());
            return false;
        }
        queue.poll();
        clock.advance(next.atMs() - clock.millis());
        steps++;
        next.action().run();
        return true;
    }

    void note(String line) {
        if (trace.size() == TRACE_LINES_KEPT) {
            trace.removeFirst();
        }
        trace.addLast(clock.millis() + " ms: " + line);
    }

    List<String> traceTail() {
        return List.copyOf(trace);
    }
}
