package io.fjord.raft.sim;

/**
 * One scheduled event of a simulation: when, in which order among events of the same millisecond, what (for the
 * trace) and the action. The trace of a failed seed is the list of events it ran, printed from these.
 */
record SimEvent(long timeMs, long sequence, String kind, int nodeId, Object detail, Runnable action) {

    @Override
    public String toString() {
        return String.format("%7d ms  %-9s n%-2d %s", timeMs, kind, nodeId, detail == null ? "" : detail);
    }
}
