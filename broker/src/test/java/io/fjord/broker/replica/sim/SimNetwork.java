package io.fjord.broker.replica.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The simulated network between brokers, the controller and the client. A message is delivered after a seeded
 * delay, in order per direction (TCP keeps order on a connection), unless the link is cut when it is sent or
 * delivered, the receiver crashed meanwhile (its incarnation changed), or it is lost (a dropped connection: the
 * sender's timeout then fails the request, as over TCP).
 *
 * <p>Not thread-safe: the simulation's one thread owns it.
 */
final class SimNetwork {
    static final int CONTROLLER = 0;
    static final int CLIENT = 100;

    private final SimEvents events;
    private final RandomGenerator random;
    private final int delayMaxMs;
    private final double lossRate;
    private final Set<Long> cutLinks = new HashSet<>();
    private final Map<Integer, Integer> incarnations = new HashMap<>();
    private final Set<Integer> down = new HashSet<>();
    private final Map<Long, Long> lastDeliveryMs = new HashMap<>();

    SimNetwork(SimEvents events, RandomGenerator random, int delayMaxMs, double lossRate) {
        this.events = events;
        this.random = random;
        this.delayMaxMs = delayMaxMs;
        this.lossRate = lossRate;
    }

    private static long link(int from, int to) {
        return from * 1_000L + to;
    }

    void nodeUp(int node) {
        down.remove(node);
        incarnations.merge(node, 1, Integer::sum);
    }

    void nodeDown(int node) {
        down.add(node);
    }

    boolean isUp(int node) {
        return !down.contains(node);
    }

    void cut(int from, int to) {
        cutLinks.add(link(from, to));
    }

    void heal(int from, int to) {
        cutLinks.remove(link(from, to));
    }

    void healAll() {
        cutLinks.clear();
    }

    boolean isCut(int from, int to) {
        return cutLinks.contains(link(from, to));
    }

    /** Whether a message could go from one node to the other now (both up, link not cut). */
    boolean canReach(int from, int to) {
        return isUp(from) && isUp(to) && !isCut(from, to);
    }

    /** Sends a message; {@code onDelivery} runs on the receiver if it arrives. */
    void send(int from, int to, String label, Runnable onDelivery) {
        if (!canReach(from, to)) {
            return;
        }
        if (random.nextDouble() < lossRate) {
            events.note("lost " + label + " " + from + "->" + to);
            return;
        }
        int receiverIncarnation = incarnations.getOrDefault(to, 0);
        long atMs = Math.max(events.nowMs() + 1 + random.nextInt(delayMaxMs), lastDeliveryMs.getOrDefault(
                link(from, to), 0L));
        lastDeliveryMs.put(link(from, to), atMs);
        events.at(atMs, label, () -> {
            if (isUp(to) && !isCut(from, to) && incarnations.getOrDefault(to, 0) == receiverIncarnation) {
                onDelivery.run();
            }
        });
    }
}
