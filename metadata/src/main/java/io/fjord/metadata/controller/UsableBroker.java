package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import java.util.Comparator;
import java.util.List;

/**
 * A broker the replica placer may put new replicas on: registered and active. A {@code null} rack means the broker has
 * no {@code broker.rack}; all such brokers count as one rack, as in Kafka. Immutable.
 */
public record UsableBroker(int brokerId, String rack) {
    /**
     * Whether a broker may lead or be in the ISR of a new partition (Kafka's {@code isActive}): unfenced and not in
     * controlled shutdown, whose leaderships are moving away and which stops once it leads nothing.
     */
    public static boolean isActive(BrokerImage broker) {
        return broker.active();
    }

    /** The active brokers of {@code image}, by id. */
    public static List<UsableBroker> of(MetadataImage image) {
        return image.brokers().values().stream().filter(UsableBroker::isActive)
                .map(broker -> new UsableBroker(broker.brokerId(), broker.rack()))
                .sorted(Comparator.comparingInt(UsableBroker::brokerId)).toList();
    }
}
