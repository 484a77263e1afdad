package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InterBrokerAddressesTest {
    @Test
    void aBrokersAddressIsItsRegisteredEndpointOnTheInterBrokerListener() {
        BrokerImage broker = new BrokerImage(3, UUID.randomUUID(), List.of(
                new BrokerEndpoint("EXTERNAL", "example.invalid", 9092, (short) 0),
                new BrokerEndpoint("REPLICATION", "127.0.0.1", 19093, (short) 0)), null, false);
        MetadataCache cache = new MetadataCache("cluster", 1, new MetadataImage(5, Map.of(3, broker), Map.of(),
                Map.of(), Map.of(), Map.of(), 0));

        InterBrokerAddresses addresses = new InterBrokerAddresses(cache, "replication");

        assertThat(addresses.apply(3)).contains(new InetSocketAddress("127.0.0.1", 19093));
        assertThat(addresses.apply(4)).isEmpty();
        assertThat(new InterBrokerAddresses(cache, "PLAINTEXT").apply(3)).isEmpty();
    }
}
