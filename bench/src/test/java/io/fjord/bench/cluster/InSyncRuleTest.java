package io.fjord.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InSyncRuleTest {
    @Test
    void everyReplicaMustBeInTheIsrUnderALeader() {
        assertThat(InSyncRule.notInSync(1, List.of(1, 2, 3), List.of(3, 1, 2), -1)).isEmpty();
        assertThat(InSyncRule.notInSync(1, List.of(1, 2, 3), List.of(1, 2), -1)).contains("ISR [1, 2]");
        assertThat(InSyncRule.notInSync(-1, List.of(1, 2, 3), List.of(1, 2, 3), -1)).isEqualTo("no leader");
    }

    @Test
    void withABrokerOnlyThatBrokerMustBeInTheIsr() {
        assertThat(InSyncRule.notInSync(1, List.of(1, 2, 3), List.of(1, 3), 3)).isEmpty();
        assertThat(InSyncRule.notInSync(1, List.of(1, 2, 3), List.of(1, 2), 3)).contains("broker 3 not in");
        assertThat(InSyncRule.notInSync(1, List.of(1, 2), List.of(1), 3)).as("not a replica of it").isEmpty();
    }
}
