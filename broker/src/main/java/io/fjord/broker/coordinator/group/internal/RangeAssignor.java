package io.fjord.broker.coordinator.group.internal;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The {@code range} server-side assignor: topic by topic, the subscribed members in member id order take
 * contiguous ranges of partitions, the first {@code partitions % members} of them one more than the rest, so that
 * members subscribing to co-partitioned topics get the same partition numbers of each.
 *
 * <p>Stateless and thread-safe.
 */
final class RangeAssignor implements PartitionAssignor {
    static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, SortedMap<UUID, SortedSet<Integer>>> assign(Spec spec) {
        Map<String, TreeMap<UUID, TreeSet<Integer>>> result = new TreeMap<>();
        spec.memberTopics().keySet().forEach(memberId -> result.put(memberId, new TreeMap<>()));
        for (Map.Entry<UUID, List<String>> topic : UniformAssignor.subscribers(spec).entrySet()) {
            int count = spec.partitionCounts().get(topic.getKey());
            List<String> members = topic.getValue();
            int quota = count / members.size();
            int extra = count % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int size = quota + (i < extra ? 1 : 0);
                if (size == 0) {
                    continue;
                }
                TreeSet<Integer> range = new TreeSet<>();
                for (int partition = next; partition < next + size; partition++) {
                    range.add(partition);
                }
                next += size;
                result.get(members.get(i)).put(topic.getKey(), range);
            }
        }
        Map<String, SortedMap<UUID, SortedSet<Integer>>> frozen = new TreeMap<>();
        result.forEach((memberId, partitions) -> frozen.put(memberId, Partitions.copyOf(partitions)));
        return frozen;
    }
}
