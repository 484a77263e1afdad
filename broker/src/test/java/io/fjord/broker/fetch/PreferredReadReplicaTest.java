package io.fjord.broker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.storage.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PreferredReadReplicaTest {
    private static final TopicPartition ORDERS = new TopicPartition("orders", 0);
    private static final String LISTENER = "PLAINTEXT";
    private static final long NOW_MS = 1_000_000;

    private final ManualClock clock = new ManualClock(NOW_MS);
    private final Map<Integer, BrokerImage> brokers = new HashMap<>();
    private final Map<Integer, FollowerPositions.FollowerPosition> positions = new HashMap<>();
    private final PreferredReadReplica preferred = new PreferredReadReplica(new RackAwareReplicaSelector(),
            (topicPartition, brokerId) -> topicPartition.equals(ORDERS)
                    ? Optional.ofNullable(positions.get(brokerId)) : Optional.empty(), clock);

    private void broker(int brokerId, String rack, boolean fenced, String listener) {
        brokers.put(brokerId, new BrokerImage(brokerId, new UUID(0, brokerId),
                List.of(new BrokerEndpoint(listener, "localhost", 9092 + brokerId, (short) 0)), rack, fenced));
    }

    private OptionalInt select(PartitionImage partition, String clientRack, long fetchOffset) {
        MetadataImage image = new MetadataImage(1, brokers, Map.of(), Map.of(), Map.of(), Map.of(), 0);
        return preferred.select(image, ORDERS, partition, LISTENER, clientRack, fetchOffset, 100);
    }

    /** Leader 1 in rack east; followers 2 and 3 in rack west, both in the ISR. */
    private static PartitionImage threeReplicas(List<Integer> isr) {
        return new PartitionImage(0, List.of(1, 2, 3), isr, 1, 7, 3);
    }

    @Test
    void aConsumerIsSentToTheMostCaughtUpInSyncFollowerOfItsRack() {
        broker(1, "east", false, LISTENER);
        broker(2, "west", false, LISTENER);
        broker(3, "west", false, LISTENER);
        positions.put(2, new FollowerPositions.FollowerPosition(0, 90, NOW_MS - 10));
        positions.put(3, new FollowerPositions.FollowerPosition(0, 100, NOW_MS - 10));

        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 50)).hasValue(3);
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "east", 50)).as("the leader's own rack").isEmpty();
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "", 50)).as("no client.rack").isEmpty();
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "north", 50)).as("nobody in the rack").isEmpty();
    }

    @Test
    void followersThatCannotServeTheOffsetOrTheClientAreLeftOut() {
        broker(1, "east", false, LISTENER);
        broker(2, "west", false, LISTENER);
        broker(3, "west", false, LISTENER);
        positions.put(2, new FollowerPositions.FollowerPosition(0, 100, NOW_MS));
        positions.put(3, new FollowerPositions.FollowerPosition(0, 60, NOW_MS));

        assertThat(select(threeReplicas(List.of(1, 3)), "west", 50)).as("2 is out of the ISR").hasValue(3);
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 80)).as("3 lacks offset 80").hasValue(2);
        assertThat(select(threeReplicas(List.of(1, 3)), "west", 80)).as("none has offset 80").isEmpty();
        positions.put(2, new FollowerPositions.FollowerPosition(40, 100, NOW_MS));
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 30)).as("2 deleted offset 30").hasValue(3);
        positions.remove(3);
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 30)).as("3's position unknown").isEmpty();
    }

    @Test
    void fencedBrokersAndBrokersWithoutTheClientsListenerAreLeftOut() {
        broker(1, "east", false, LISTENER);
        broker(2, "west", true, LISTENER);
        broker(3, "west", false, "INTERNAL");
        positions.put(2, new FollowerPositions.FollowerPosition(0, 100, NOW_MS));
        positions.put(3, new FollowerPositions.FollowerPosition(0, 100, NOW_MS));

        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 50)).isEmpty();
        broker(2, "west", false, LISTENER);
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 50)).hasValue(2);
        brokers.remove(2);
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 50)).as("2 unregistered").isEmpty();
    }

    @Test
    void amongEqualLogEndsTheFollowerCaughtUpMostRecentlyWins() {
        broker(1, "east", false, LISTENER);
        broker(2, "west", false, LISTENER);
        broker(3, "west", false, LISTENER);
        positions.put(2, new FollowerPositions.FollowerPosition(0, 100, NOW_MS - 5_000));
        positions.put(3, new FollowerPositions.FollowerPosition(0, 100, NOW_MS - 50));
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 50)).hasValue(3);
        clock.advance(10_000);
        positions.put(2, new FollowerPositions.FollowerPosition(0, 100, clock.millis()));
        assertThat(select(threeReplicas(List.of(1, 2, 3)), "west", 50)).hasValue(2);
    }
}
