package io.fjord.metadata.image;

import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import java.util.List;
import java.util.UUID;

/** A registered broker and its advertised listeners. Immutable. */
public record BrokerImage(int brokerId, UUID incarnationId, List<BrokerEndpoint> endpoints, String rack,
                          boolean fenced) {
    public BrokerImage {
        endpoints = List.copyOf(endpoints);
    }
}
