package io.fjord.metadata.image;

import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerFeature;
import java.util.List;
import java.util.UUID;

/**
 * A registered broker: its incarnation and epoch, advertised listeners and state. Immutable.
 *
 * @param brokerEpoch              the epoch of this registration; heartbeats must carry it
 * @param fenced                   a fenced broker leads nothing and is left out of clients' metadata
 * @param inControlledShutdown     the broker is moving its leaderships away before it stops
 * @param registeredOffset         the metadata offset of the registration record: the broker is caught up once its
 *                                 heartbeat reports a metadata offset at least this high
 * @param controlledShutdownOffset the metadata offset at which the broker entered controlled shutdown (its
 *                                 leaderships moved in the same batch, before it), -1 when not in controlled shutdown
 */
public record BrokerImage(int brokerId, UUID incarnationId, long brokerEpoch, List<BrokerEndpoint> endpoints,
                          List<BrokerFeature> features, String rack, boolean fenced, boolean inControlledShutdown,
                          long registeredOffset, long controlledShutdownOffset) {
    public BrokerImage {
        endpoints = List.copyOf(endpoints);
        features = List.copyOf(features);
    }

    /** A broker registered at offset 0 with epoch 0, no features, not in controlled shutdown. */
    public BrokerImage(int brokerId, UUID incarnationId, List<BrokerEndpoint> endpoints, String rack, boolean fenced) {
        this(brokerId, incarnationId, 0, endpoints, List.of(), rack, fenced, false, 0, -1);
    }

    /** Neither fenced nor in controlled shutdown: the broker may lead partitions. */
    public boolean active() {
        return !fenced && !inControlledShutdown;
    }

    BrokerImage withOffsets(long newRegisteredOffset, long newControlledShutdownOffset) {
        return new BrokerImage(brokerId, incarnationId, brokerEpoch, endpoints, features, rack, fenced,
                inControlledShutdown, newRegisteredOffset, newControlledShutdownOffset);
    }

    BrokerImage withState(boolean newFenced, boolean newInControlledShutdown, long newControlledShutdownOffset) {
        return new BrokerImage(brokerId, incarnationId, brokerEpoch, endpoints, features, rack, newFenced,
                newInControlledShutdown, registeredOffset, newControlledShutdownOffset);
    }
}
