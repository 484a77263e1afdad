package io.fjord.broker.replica;

import io.fjord.broker.MetadataCache;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A broker's address on the inter-broker listener ({@code inter.broker.listener.name}), from its registration in
 * the current metadata image: where this node's replica fetchers connect. Empty while the broker is not registered
 * or registered no such listener. Thread-safe (reads the cache's current immutable image).
 */
public final class InterBrokerAddresses implements IntFunction<Optional<InetSocketAddress>> {
    private final MetadataCache cache;
    private final String listenerName;

    /**
     * @param listenerName {@code inter.broker.listener.name}; when unset Kafka uses the listener named after
     *     {@code security.inter.broker.protocol}, {@code PLAINTEXT}
     */
    public InterBrokerAddresses(MetadataCache cache, String listenerName) {
        this.cache = cache;
        this.listenerName = listenerName;
    }

    @Override
    public Optional<InetSocketAddress> apply(int brokerId) {
        BrokerImage broker = cache.image().brokers().get(brokerId);
        if (broker == null) {
            return Optional.empty();
        }
        for (BrokerEndpoint endpoint : broker.endpoints()) {
            if (endpoint.listenerName().equalsIgnoreCase(listenerName)) {
                // An advertised listener without a host means this machine, as a client connecting to it would.
                String host = endpoint.host() == null || endpoint.host().isEmpty() ? "localhost" : endpoint.host();
                return Optional.of(new InetSocketAddress(host, endpoint.port()));
            }
        }
        return Optional.empty();
    }
}
