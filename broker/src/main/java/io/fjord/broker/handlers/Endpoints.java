package io.fjord.broker.handlers;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import java.util.Optional;

/** Finds the endpoint of a broker on the listener a request arrived on, as Kafka answers clients. Stateless. */
final class Endpoints {
    private Endpoints() {
    }

    static Optional<BrokerEndpoint> on(BrokerImage broker, String listenerName) {
        return broker.endpoints().stream().filter(endpoint -> endpoint.listenerName().equals(listenerName))
                .findFirst();
    }
}
