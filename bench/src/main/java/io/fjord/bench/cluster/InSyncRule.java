package io.fjord.bench.cluster;

import java.util.List;

/** When a partition counts as in sync for the benchmark. Stateless. */
final class InSyncRule {
    private InSyncRule() {
    }

    /**
     * Empty when the partition has a leader and its ISR holds every replica, or {@code broker} when that is not -1
     * (a partition that {@code broker} does not replicate counts as in sync); otherwise why not.
     */
    static String notInSync(int leader, List<Integer> replicas, List<Integer> isr, int broker) {
        if (leader < 0) {
            return "no leader";
        }
        if (broker >= 0) {
            return isr.contains(broker) || !replicas.contains(broker) ? ""
                    : "broker " + broker + " not in the ISR " + isr;
        }
        return isr.containsAll(replicas) ? "" : "ISR " + isr + " of replicas " + replicas;
    }
}
