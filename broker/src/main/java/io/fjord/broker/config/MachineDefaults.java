package io.fjord.broker.config;

import java.util.Map;
import java.util.Optional;

/**
 * The defaults that depend on the machine a node runs on, and how the configuration reference describes them (the
 * same text on every machine). Stateless and thread-safe.
 *
 * <p>{@code num.network.threads}: Kafka's 3, except on a machine with one or two processors, where it is 1. Fjord's
 * event loops do more than Kafka's network threads: they also append light Produce requests and serve followers'
 * Fetch requests. With one loop, the append that releases the followers' waiting fetches and the fetches that
 * release the waiting Produce answer each other on the same thread; with three, each of those hand-offs wakes
 * another thread. On two processors that cost the brokers about a tenth of their CPU per record under replication
 * load, and a third of their context switches (docs/performance.md, "Session 17").
 */
public final class MachineDefaults {
    /** Kafka's default for {@code num.network.threads}. */
    static final int NETWORK_THREADS_KAFKA = 3;
    /** Machines with at most this many processors get one network thread by default. */
    static final int SMALL_MACHINE_PROCESSORS_MAX = 2;

    private static final Map<String, String> DESCRIBED = Map.of("num.network.threads",
            "`1` with 1 or 2 processors, else `" + NETWORK_THREADS_KAFKA + "`");

    private MachineDefaults() {
    }

    /** The default {@code num.network.threads} on a machine with {@code processors} processors. */
    static int networkThreads(int processors) {
        return processors <= SMALL_MACHINE_PROCESSORS_MAX ? 1 : NETWORK_THREADS_KAFKA;
    }

    /** The processors this JVM may use. */
    static int processors() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** How the reference describes the default of {@code name}, if it depends on the machine. */
    public static Optional<String> described(String name) {
        return Optional.ofNullable(DESCRIBED.get(name));
    }
}
