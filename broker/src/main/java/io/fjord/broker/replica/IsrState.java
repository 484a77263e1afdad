package io.fjord.broker.replica;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A leader's view of its partition's in-sync replicas (Kafka's CommittedPartitionState, PendingExpandIsr and
 * PendingShrinkIsr): the committed ISR, and at most one proposed change awaiting the controller's answer.
 *
 * <p>While an expansion is in flight the leader already counts the new member ({@link #maximalIsr()} is the union), so
 * the high watermark and acks=all wait for it; while a shrink is in flight it still counts the members being removed
 * (the maximal ISR is the committed one), since the controller may refuse the shrink. Immutable.
 *
 * @param isr      the committed ISR
 * @param proposed the ISR proposed to the controller, or null when nothing is in flight
 */
public record IsrState(List<Integer> isr, List<Integer> proposed) {
    public IsrState {
        isr = List.copyOf(isr);
        proposed = proposed == null ? null : List.copyOf(proposed);
    }

    public static IsrState committed(List<Integer> isr) {
        return new IsrState(isr, null);
    }

    /** The committed ISR with {@code newMember} proposed to join it. */
    public IsrState expand(int newMember) {
        List<Integer> union = new ArrayList<>(isr);
        if (!union.contains(newMember)) {
            union.add(newMember);
        }
        return new IsrState(isr, union);
    }

    /** The committed ISR with {@code outOfSync} proposed to leave it. */
    public IsrState shrink(Set<Integer> outOfSync) {
        List<Integer> remaining = new ArrayList<>(isr);
        remaining.removeAll(outOfSync);
        return new IsrState(isr, remaining);
    }

    /** The committed ISR proposed again unchanged, carrying a new leader recovery state (KIP-704's RECOVERED). */
    public IsrState recover() {
        return new IsrState(isr, isr);
    }

    /** Whether a change awaits the controller's answer (no other change is proposed meanwhile). */
    public boolean isInFlight() {
        return proposed != null;
    }

    /** The members the leader waits for: the committed ISR and any member proposed to join it. */
    public Set<Integer> maximalIsr() {
        Set<Integer> maximal = new LinkedHashSet<>(isr);
        if (proposed != null) {
            maximal.addAll(proposed);
        }
        return maximal;
    }
}
