package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.network.ConnectionLimits;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connection limits follow the committed dynamic broker configs: the cluster default, then this broker's. */
class DynamicConnectionLimitsTest {
    private static final int NODE_ID = 1;

    private final List<ConnectionLimits> handed = new ArrayList<>();
    private final DynamicConnectionLimits limits = new DynamicConnectionLimits(BrokerConfig.fromMap(Map.of(
            "node.id", "1", "process.roles", "broker,controller", "max.connections.per.ip", "100")), NODE_ID,
            List.of("PLAINTEXT", "INTERNAL"), "INTERNAL");
    private MetadataImage image = MetadataImage.EMPTY;

    /** Applies records as the metadata loader does and publishes with the delta's changes. */
    private void apply(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        long offset = image.offset();
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        MetadataImage previous = image;
        image = delta.apply();
        limits.publish(previous, image, delta.changes());
    }

    private static ConfigRecord broker(String resource, String name, String value) {
        return new ConfigRecord(ConfigRecord.BROKER, resource, name, value);
    }

    private ConnectionLimits last() {
        return handed.get(handed.size() - 1);
    }

    @Test
    void theStaticLimitsAreHandedOnAttachAndEachCommittedChangeAfter() throws Exception {
        limits.attach(handed::add);
        assertThat(last().maxConnectionsPerIp()).isEqualTo(100);

        apply(broker("", "max.connections.per.ip", "5"));
        assertThat(last().maxConnectionsPerIp()).isEqualTo(5);

        // This broker's own value wins over the cluster default; another broker's is not this one's.
        apply(broker("1", "max.connections.per.ip", "3"), broker("2", "max.connections.per.ip", "1"));
        assertThat(last().maxConnectionsPerIp()).isEqualTo(3);

        apply(broker("", "max.connections.per.ip.overrides", "127.0.0.2:7"),
                broker("", "max.connection.creation.rate", "50"), broker("1", "max.connections", "500"),
                broker("", "listener.name.plaintext.max.connections", "40"),
                broker("1", "listener.name.internal.max.connection.creation.rate", "9"));
        assertThat(last().maxConnectionsPerIpOverrides()).isEqualTo(Map.of(InetAddress.getByName("127.0.0.2"), 7));
        assertThat(last().maxConnectionCreationRate()).isEqualTo(50);
        assertThat(last().maxConnections()).isEqualTo(500);
        assertThat(last().listenerMaxConnections()).isEqualTo(Map.of("PLAINTEXT", 40));
        assertThat(last().listenerMaxConnectionCreationRates()).isEqualTo(Map.of("INTERNAL", 9));
        assertThat(last().interBrokerListener()).isEqualTo("INTERNAL");

        // Deleting the broker's value falls back to the default, then to server.properties.
        apply(broker("1", "max.connections.per.ip", null));
        assertThat(last().maxConnectionsPerIp()).isEqualTo(5);
        apply(broker("", "max.connections.per.ip", null));
        assertThat(last().maxConnectionsPerIp()).isEqualTo(100);
    }

    @Test
    void otherConfigChangesHandNothing() {
        limits.attach(handed::add);
        apply(broker("", "log.cleaner.threads", "2"), broker("1", "background.threads", "4"));
        assertThat(handed).hasSize(1);
    }

    @Test
    void limitsThatCannotBeUsedAreLoggedAndTheOnesInForceKept() {
        limits.attach(handed::add);
        apply(broker("", "max.connections.per.ip", "4"));
        apply(broker("", "max.connections.per.ip.overrides", "127.0.0.2:many"));
        assertThat(handed).hasSize(2);
        assertThat(limits.current().maxConnectionsPerIp()).isEqualTo(4);
    }

    @Test
    void changesCommittedBeforeTheTargetIsAttachedAreHandedOnAttach() {
        apply(broker("", "max.connections.per.ip", "6"));
        limits.attach(handed::add);
        assertThat(handed).singleElement().extracting(ConnectionLimits::maxConnectionsPerIp).isEqualTo(6);
    }

    @Test
    void aChangeThisBrokerCouldNotTakeIsRefusedBeforeItIsCommitted() {
        assertThat(limits.refusal(Map.of("max.connections.per.ip", "2"))).isEmpty();
        assertThat(limits.refusal(Map.of("log.cleaner.threads", "2"))).isEmpty();
        assertThat(limits.refusal(Map.of("max.connections.per.ip", "0"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("max.connections.per.ip.overrides"));
        Map<String, String> overrides = new HashMap<>();
        overrides.put("max.connections.per.ip", "0");
        overrides.put("max.connections.per.ip.overrides", "127.0.0.2:1");
        assertThat(limits.refusal(overrides)).isEmpty();
        assertThat(limits.refusal(Map.of("max.connections.per.ip.overrides", "127.0.0.2"))).isPresent();
    }
}
