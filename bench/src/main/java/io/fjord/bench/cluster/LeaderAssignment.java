package io.fjord.bench.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Manual replica assignments for the leader-move benchmark. Stateless. */
final class LeaderAssignment {
    private LeaderAssignment() {
    }

    /**
     * {@code partitions} partitions, each with {@code leader} first (its preferred leader) and then every one of
     * {@code followers}, rotated per partition so that the next leader after {@code leader} is spread over them.
     */
    static Map<Integer, List<Integer>> ledBy(int leader, List<Integer> followers, int partitions) {
        Map<Integer, List<Integer>> assignments = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            List<Integer> replicas = new ArrayList<>(followers.size() + 1);
            replicas.add(leader);
            for (int index = 0; index < followers.size(); index++) {
                replicas.add(followers.get((partition + index) % followers.size()));
            }
            assignments.put(partition, replicas);
        }
        return assignments;
    }
}
