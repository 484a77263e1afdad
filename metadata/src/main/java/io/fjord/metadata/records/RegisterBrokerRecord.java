package io.fjord.metadata.records;

import java.util.List;
import java.util.UUID;

/** A broker joined (or re-joined) the cluster with these listeners. Immutable. */
public record RegisterBrokerRecord(int brokerId, UUID incarnationId, List<BrokerEndpoint> endpoints, String rack,
                                   boolean fenced) implements MetadataRecord {
    public static final short TYPE_ID = 0;

    public RegisterBrokerRecord {
        endpoints = List.copyOf(endpoints);
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }

    /** One advertised listener of a broker. */
    public record BrokerEndpoint(String listenerName, String host, int port, short securityProtocol) {
    }
}
