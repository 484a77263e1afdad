package io.fjord.metadata.records;

import java.util.List;
import java.util.UUID;

/**
 * A broker joined (or re-joined, with a new incarnation) the cluster with these listeners; Kafka's
 * RegisterBrokerRecord. A later record for the same broker replaces the earlier one. Immutable.
 *
 * @param brokerEpoch          the epoch the controller gave this registration; -1 in records written before epochs
 *                             existed (version 0), where the record's offset stands in for it
 * @param features             the feature versions the broker supports
 * @param fenced               a fenced broker leads nothing and is left out of clients' metadata
 * @param inControlledShutdown the broker is moving its leaderships away before it stops
 */
public record RegisterBrokerRecord(int brokerId, UUID incarnationId, long brokerEpoch, List<BrokerEndpoint> endpoints,
                                   List<BrokerFeature> features, String rack, boolean fenced,
                                   boolean inControlledShutdown) implements MetadataRecord {
    public static final short TYPE_ID = 0;

    public RegisterBrokerRecord {
        endpoints = List.copyOf(endpoints);
        features = List.copyOf(features);
    }

    /** A registration without an epoch or features (the version-0 shape). */
    public RegisterBrokerRecord(int brokerId, UUID incarnationId, List<BrokerEndpoint> endpoints, String rack,
                                boolean fenced) {
        this(brokerId, incarnationId, -1, endpoints, List.of(), rack, fenced, false);
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }

    /** One advertised listener of a broker. */
    public record BrokerEndpoint(String listenerName, String host, int port, short securityProtocol) {
    }

    /** A feature and the range of its versions a broker supports. */
    public record BrokerFeature(String name, short minSupportedVersion, short maxSupportedVersion) {
    }
}
