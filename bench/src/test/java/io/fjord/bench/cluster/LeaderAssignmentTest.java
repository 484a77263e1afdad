package io.fjord.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderAssignmentTest {
    @Test
    void theVictimLeadsEveryPartitionAndTheFollowersTakeTurnsAsNextInLine() {
        Map<Integer, List<Integer>> assignments = LeaderAssignment.ledBy(2, List.of(1, 3), 4);
        assertThat(assignments).containsOnlyKeys(0, 1, 2, 3);
        assertThat(assignments.get(0)).containsExactly(2, 1, 3);
        assertThat(assignments.get(1)).containsExactly(2, 3, 1);
        assertThat(assignments.get(2)).containsExactly(2, 1, 3);
        assertThat(assignments.get(3)).containsExactly(2, 3, 1);
    }
}
