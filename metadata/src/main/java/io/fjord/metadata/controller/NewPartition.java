package io.fjord.metadata.controller;

import java.util.List;

/** The replicas of a partition about to be created and its first ISR; the leader is the first ISR member. Immutable. */
record NewPartition(List<Integer> replicas, List<Integer> isr) {
    NewPartition {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    int leader() {
        return isr.get(0);
    }
}
