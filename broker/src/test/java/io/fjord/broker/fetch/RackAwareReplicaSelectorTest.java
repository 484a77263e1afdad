package io.fjord.broker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RackAwareReplicaSelectorTest {
    private static final ReplicaView LEADER = new ReplicaView(1, "east", 100, 0);

    static Stream<Arguments> cases() {
        ReplicaView westBehind = new ReplicaView(2, "west", 90, 0);
        ReplicaView westAhead = new ReplicaView(3, "west", 95, 500);
        ReplicaView westAheadFresher = new ReplicaView(4, "west", 95, 100);
        ReplicaView eastFollower = new ReplicaView(5, "east", 100, 0);
        ReplicaView noRack = new ReplicaView(6, null, 100, 0);
        return Stream.of(
                Arguments.of("a client without a rack reads from the leader", null, List.of(westAhead), 1),
                Arguments.of("an empty client rack is no rack", "", List.of(westAhead), 1),
                Arguments.of("the leader in the client's rack wins over a follower there", "east",
                        List.of(eastFollower, westAhead), 1),
                Arguments.of("no replica in the client's rack: the leader", "north", List.of(westAhead, noRack), 1),
                Arguments.of("the follower in the client's rack", "west", List.of(westBehind), 2),
                Arguments.of("the most caught-up follower in the rack", "west", List.of(westBehind, westAhead), 3),
                Arguments.of("equal log ends: the one caught up most recently", "west",
                        List.of(westAhead, westAheadFresher, westBehind), 4),
                Arguments.of("equal in all: the smallest broker id", "west",
                        List.of(new ReplicaView(8, "west", 95, 100), westAheadFresher,
                                new ReplicaView(7, "west", 95, 100)), 4),
                Arguments.of("no candidates: the leader", "west", List.of(), 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void choosesAsKafkasRackAwareSelector(String description, String clientRack, List<ReplicaView> candidates,
            int expectedBrokerId) {
        assertThat(new RackAwareReplicaSelector().select(clientRack, LEADER, candidates).brokerId())
                .isEqualTo(expectedBrokerId);
    }
}
