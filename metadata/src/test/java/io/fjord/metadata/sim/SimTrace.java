package io.fjord.metadata.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The cluster simulation's event log: one line per event with its simulated time; a failure report shows its tail.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class SimTrace {
    private final LongSupplier clockMs;
    private final List<String> lines = new ArrayList<>();

    SimTrace(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    void note(String event) {
        lines.add(clockMs.getAsLong() + " " + event);
    }

    int size() {
        return lines.size();
    }

    String tail(int count) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    String all() {
        return String.join("\n", lines);
    }
}
