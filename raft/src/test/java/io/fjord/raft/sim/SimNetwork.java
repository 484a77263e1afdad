package io.fjord.raft.sim;

import io.fjord.raft.RaftMessage;
import java.util.Random;

/**
 * The simulated network's state: which directed links are cut (a symmetric partition cuts both directions, a
 * one-way fault one), and how messages fare on working links: each is dropped with {@code dropProbability},
 * delivered after a uniform delay of 1 to {@code maxDelayMs} (so messages reorder) and delivered twice with
 * {@code duplicateProbability}.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class SimNetwork {
    private final boolean[][] cut;
    double dropProbability;
    double duplicateProbability;
    int maxDelayMs = 20;

    SimNetwork(int nodes) {
        cut = new boolean[nodes][nodes];
    }

    boolean canDeliver(RaftMessage message) {
        return !cut[message.source()][message.destination()];
    }

    void cut(int from, int to) {
        cut[from][to] = true;
    }

    /** Splits the nodes into two sides by {@code side}; links across are cut both ways. */
    void partition(boolean[] side) {
        heal();
        for (int a = 0; a < side.length; a++) {
            for (int b = 0; b < side.length; b++) {
                if (side[a] != side[b]) {
                    cut[a][b] = true;
                }
            }
        }
    }

    void heal() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
    }

    boolean isHealthy() {
        for (boolean[] row : cut) {
            for (boolean link : row) {
                if (link) {
                    return false;
                }
            }
        }
        return dropProbability == 0;
    }

    /** The delays of the copies of one message to deliver: none (dropped), one, or two (duplicated). */
    long[] delaysFor(Random random) {
        if (random.nextDouble() < dropProbability) {
            return new long[0];
        }
        long delay = 1 + random.nextInt(maxDelayMs);
        if (random.nextDouble() < duplicateProbability) {
            return new long[] {delay, 1 + random.nextInt(maxDelayMs * 2)};
        }
        return new long[] {delay};
    }

    @Override
    public String toString() {
        StringBuilder links = new StringBuilder();
        for (int a = 0; a < cut.length; a++) {
            for (int b = 0; b < cut.length; b++) {
                if (cut[a][b]) {
                    links.append(' ').append(a).append("->").append(b);
                }
            }
        }
        return String.format("drop=%.2f dup=%.2f delay<=%dms cut:%s", dropProbability, duplicateProbability,
                maxDelayMs, links.length() == 0 ? " none" : links);
    }
}
