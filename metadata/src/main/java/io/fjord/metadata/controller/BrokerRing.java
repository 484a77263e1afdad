package io.fjord.metadata.controller;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The cyclic order in which one round of placement walks the usable brokers: the racks and the brokers inside each
 * rack are shuffled, then every rack's brokers are spread evenly around the ring, so that with racks of equal size the
 * ring reads A0 B0 C0 A1 B1 C1 ... and any {@code R} neighbours sit on {@code R} different racks.
 *
 * <p>Positions in the ring hold indexes into the broker list the ring was built from. Immutable once built.
 */
final class BrokerRing {
    /** Sorts rack names for a deterministic starting point before the shuffle; the broker without a rack first. */
    private static final Comparator<String> RACK_ORDER = Comparator.nullsFirst(Comparator.naturalOrder());

    private final int[] brokerIndexes;
    private final int[] rackOfPosition;
    private final int[] rackSizes;

    private BrokerRing(int[] brokerIndexes, int[] rackOfPosition, int[] rackSizes) {
        this.brokerIndexes = brokerIndexes;
        this.rackOfPosition = rackOfPosition;
        this.rackSizes = rackSizes;
    }

    /**
     * @param brokers the usable brokers, sorted by id (positions refer to this list)
     * @param random  draws the rack order and each rack's broker order
     */
    static BrokerRing shuffled(List<UsableBroker> brokers, Random random) {
        Map<String, List<Integer>> membersByRack = new LinkedHashMap<>();
        for (int index = 0; index < brokers.size(); index++) {
            membersByRack.computeIfAbsent(brokers.get(index).rack(), rack -> new ArrayList<>()).add(index);
        }
        List<String> racks = new ArrayList<>(membersByRack.keySet());
        racks.sort(RACK_ORDER);
        Collections.shuffle(racks, random);
        List<List<Integer>> members = new ArrayList<>(racks.size());
        for (String rack : racks) {
            List<Integer> rackMembers = new ArrayList<>(membersByRack.get(rack));
            Collections.shuffle(rackMembers, random);
            members.add(rackMembers);
        }
        List<Slot> slots = new ArrayList<>(brokers.size());
        for (int rank = 0; rank < members.size(); rank++) {
            for (int member = 0; member < members.get(rank).size(); member++) {
                slots.add(new Slot(rank, member, members.get(rank).size(), members.get(rank).get(member)));
            }
        }
        slots.sort(Slot::compareTo);
        int[] brokerIndexes = new int[slots.size()];
        int[] rackOfPosition = new int[slots.size()];
        for (int position = 0; position < slots.size(); position++) {
            brokerIndexes[position] = slots.get(position).brokerIndex();
            rackOfPosition[position] = slots.get(position).rackRank();
        }
        int[] rackSizes = members.stream().mapToInt(List::size).toArray();
        return new BrokerRing(brokerIndexes, rackOfPosition, rackSizes);
    }

    int size() {
        return brokerIndexes.length;
    }

    int rackCount() {
        return rackSizes.length;
    }

    /** The index (into the list the ring was built from) of the broker at {@code position}, taken modulo the size. */
    int brokerAt(int position) {
        return brokerIndexes[Math.floorMod(position, brokerIndexes.length)];
    }

    /** The rack (0 to {@link #rackCount()} - 1) of the broker at {@code position}, taken modulo the size. */
    int rackAt(int position) {
        return rackOfPosition[Math.floorMod(position, rackOfPosition.length)];
    }

    int rackSize(int rack) {
        return rackSizes[rack];
    }

    /**
     * Member {@code member} of a rack of {@code rackSize} brokers sits at the fraction (2 member + 1) / (2 rackSize)
     * of the ring; equal fractions go by rack rank. Compared exactly, without floating point.
     */
    private record Slot(int rackRank, int member, int rackSize, int brokerIndex) implements Comparable<Slot> {
        @Override
        public int compareTo(Slot other) {
            long mine = (2L * member + 1) * other.rackSize;
            long theirs = (2L * other.member + 1) * rackSize;
            if (mine != theirs) {
                return Long.compare(mine, theirs);
            }
            return Integer.compare(rackRank, other.rackRank);
        }
    }
}
