package io.fjord.raft.sim;

import java.util.Random;

/**
 * Picks and applies one fault to a {@link Simulation}: a crash (half of them aimed at the leader), a crash with a
 * quick restart, a restart, a random symmetric partition, a one-way cut, the leader isolated with a minority, healed
 * links, new link quality (drops, duplicates, delays), the leader resigning (controlled shutdown, half the time
 * followed by a stop), a storage fault armed on a node (its next write fails), or a connection reset between two
 * live nodes (one is told the other is unreachable). A crash also tells the others' transports, a few ms later.
 *
 * <p>Not thread-safe: used by the simulation's one thread.
 */
final class FaultInjector {
    private static final double[] DROP_PROBABILITIES = {0, 0, 0.05, 0.2};
    private static final double[] DUPLICATE_PROBABILITIES = {0, 0.05, 0.2};
    private static final int[] MAX_DELAYS_MS = {5, 20, 60, 300, 900};

    private final Simulation simulation;
    private final Random random;
    private final SimNetwork network;
    private final int nodeCount;
    private final int voterCount;

    FaultInjector(Simulation simulation, Random random, SimNetwork network, int nodeCount, int voterCount) {
        this.simulation = simulation;
        this.random = random;
        this.network = network;
        this.nodeCount = nodeCount;
        this.voterCount = voterCount;
    }

    /** Applies one random fault; returns what it did, for the trace. */
    String injectOne() {
        int choice = random.nextInt(110);
        int randomNode = random.nextInt(nodeCount);
        // Leaders crash more often than chance would have it: more epochs, more divergence.
        int node = choice < 24 && random.nextBoolean() ? currentLeaderOr(randomNode) : randomNode;
        boolean up = simulation.isUp(node);
        if (choice < 12) {
            if (up) {
                simulation.crash(node);
            }
            return up ? "crash n" + node : "no crash (n" + node + " is down)";
        } else if (choice < 24) {
            if (up) {
                simulation.crash(node);
                simulation.restartLater(node, random.nextInt(500));
            }
            return up ? "crash n" + node + " and restart it soon" : "no crash (n" + node + " is down)";
        } else if (choice < 36) {
            if (!up) {
                simulation.start(node);
            }
            return !up ? "restart n" + node : "no restart (n" + node + " is up)";
        } else if (choice < 50) {
            boolean[] side = new boolean[nodeCount];
            for (int id = 0; id < nodeCount; id++) {
                side[id] = random.nextBoolean();
            }
            network.partition(side);
            return "partition";
        } else if (choice < 60) {
            int other = (node + 1 + random.nextInt(nodeCount - 1)) % nodeCount;
            network.cut(node, other);
            return "cut one way " + node + "->" + other;
        } else if (choice < 70) {
            isolateLeaderWithMinority();
            return "isolate the leader with a minority";
        } else if (choice < 85) {
            network.heal();
            return "heal links";
        } else if (choice < 90) {
            int other = (node + 1 + random.nextInt(nodeCount - 1)) % nodeCount;
            simulation.spuriousUnreachable(node, other);
            return "connection reset " + node + "->" + other + " (both up)";
        } else if (choice >= 100 && choice < 105) {
            return simulation.resignLeader(random.nextBoolean());
        } else if (choice >= 105) {
            if (up) {
                simulation.armStorageFault(node);
            }
            return up ? "storage fault armed on n" + node : "no storage fault (n" + node + " is down)";
        }
        network.dropProbability = DROP_PROBABILITIES[random.nextInt(DROP_PROBABILITIES.length)];
        network.duplicateProbability = DUPLICATE_PROBABILITIES[random.nextInt(DUPLICATE_PROBABILITIES.length)];
        network.maxDelayMs = MAX_DELAYS_MS[random.nextInt(MAX_DELAYS_MS.length)];
        return "links change";
    }

    private int currentLeaderOr(int fallback) {
        for (int id = 0; id < nodeCount; id++) {
            if (simulation.isLeader(id)) {
                return id;
            }
        }
        return fallback;
    }

    private void isolateLeaderWithMinority() {
        boolean[] side = new boolean[nodeCount];
        for (int id = 0; id < nodeCount; id++) {
            side[id] = simulation.isLeader(id);
        }
        int companions = random.nextInt(voterCount / 2);
        for (int i = 0; i < companions; i++) {
            side[random.nextInt(nodeCount)] = true;
        }
        network.partition(side);
    }
}
