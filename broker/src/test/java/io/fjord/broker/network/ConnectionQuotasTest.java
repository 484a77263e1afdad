package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kafka's connection quotas with explicit times: counts, waits, per-address limits and creation rates. */
class ConnectionQuotasTest {
    private static final InetAddress CLIENT = address("10.0.0.1");
    private static final InetAddress OTHER_CLIENT = address("10.0.0.2");
    private static final int UNLIMITED = Integer.MAX_VALUE;

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConnectionLimits limits(int maxConnections, Map<String, Integer> listenerMax, int perIp,
                                           Map<InetAddress, Integer> overrides, int rate,
                                           Map<String, Integer> listenerRates, String interBroker) {
        return new ConnectionLimits(maxConnections, listenerMax, perIp, overrides, rate, listenerRates, interBroker,
                11, 1_000);
    }

    @Test
    void anAddressAtItsMaximumIsRefusedWhileOthersAreAdmitted() {
        ConnectionQuotas quotas = new ConnectionQuotas(limits(UNLIMITED, Map.of(), 2, Map.of(), UNLIMITED, Map.of(),
                null), IpConnectionRateQuotas.NONE, List.of("PLAINTEXT"));

        assertThat(quotas.admit("PLAINTEXT", CLIENT)).isEqualTo(-1);
        assertThat(quotas.admit("PLAINTEXT", CLIENT)).isEqualTo(-1);
        assertThat(quotas.admit("PLAINTEXT", CLIENT)).isEqualTo(2);
        assertThat(quotas.admit("PLAINTEXT", OTHER_CLIENT)).isEqualTo(-1);
        assertThat(quotas.addressCount(CLIENT)).isEqualTo(2);
        assertThat(quotas.totalCount()).isEqualTo(3);

        quotas.release("PLAINTEXT", CLIENT);
        assertThat(quotas.admit("PLAINTEXT", CLIENT)).isEqualTo(-1);
    }

    @Test
    void anOverrideReplacesTheDefaultForItsAddress() {
        ConnectionQuotas quotas = new ConnectionQuotas(limits(UNLIMITED, Map.of(), 0, Map.of(OTHER_CLIENT, 1),
                UNLIMITED, Map.of(), null), IpConnectionRateQuotas.NONE, List.of("PLAINTEXT"));

        assertThat(quotas.admit("PLAINTEXT", CLIENT)).isZero();
        assertThat(quotas.admit("PLAINTEXT", OTHER_CLIENT)).isEqualTo(-1);
        assertThat(quotas.admit("PLAINTEXT", OTHER_CLIENT)).isEqualTo(1);
    }

    @Test
    void aListenerOrTheBrokerAtItsMaximumHasNoSlotUntilAConnectionCloses() {
        ConnectionQuotas quotas = new ConnectionQuotas(limits(3, Map.of("external", 1), UNLIMITED, Map.of(),
                UNLIMITED, Map.of(), "INTERNAL"), IpConnectionRateQuotas.NONE, List.of("EXTERNAL", "INTERNAL", "OPS"));

        assertThat(quotas.slotAvailable("EXTERNAL")).isTrue();
        quotas.admit("EXTERNAL", CLIENT);
        assertThat(quotas.slotAvailable("EXTERNAL")).isFalse();
        quotas.admit("OPS", CLIENT);
        quotas.admit("OPS", CLIENT);
        assertThat(quotas.slotAvailable("OPS")).isFalse();
        // The inter-broker listener is allowed past the broker-wide maximum (KIP-402).
        assertThat(quotas.slotAvailable("INTERNAL")).isTrue();

        quotas.release("OPS", CLIENT);
        assertThat(quotas.slotAvailable("OPS")).isTrue();
        assertThat(quotas.slotAvailable("EXTERNAL")).isFalse();
        quotas.release("EXTERNAL", CLIENT);
        assertThat(quotas.slotAvailable("EXTERNAL")).isTrue();
    }

    @Test
    void theInterBrokerListenerAloneIsNotProtected() {
        ConnectionQuotas quotas = new ConnectionQuotas(limits(1, Map.of(), UNLIMITED, Map.of(), UNLIMITED, Map.of(),
                "INTERNAL"), IpConnectionRateQuotas.NONE, List.of("INTERNAL"));
        quotas.admit("INTERNAL", CLIENT);

        assertThat(quotas.slotAvailable("INTERNAL")).isFalse();
    }

    @Test
    void aListenerCreationRateThrottlesConnectionsAboveItAfterTheFirstBurst() {
        ConnectionQuotas quotas = new ConnectionQuotas(limits(UNLIMITED, Map.of(), UNLIMITED, Map.of(), UNLIMITED,
                Map.of("PLAINTEXT", 2), null), IpConnectionRateQuotas.NONE, List.of("PLAINTEXT"));
        long nowMs = 1_000_000;
        // The rate spans at least 10 windows of 1 s: 20 connections at once are within 2 per second.
        for (int connection = 0; connection < 20; connection++) {
            assertThat(quotas.recordListenerConnection("PLAINTEXT", nowMs)).isZero();
        }
        // The 21st: 2.1 per second over 10 s, Kafka's throttle (2.1 - 2) / 2 * 10 s.
        assertThat(quotas.recordListenerConnection("PLAINTEXT", nowMs)).isEqualTo(500);
        // Throttles are bounded by one quota window.
        for (int connection = 0; connection < 20; connection++) {
            quotas.recordListenerConnection("PLAINTEXT", nowMs);
        }
        assertThat(quotas.recordListenerConnection("PLAINTEXT", nowMs)).isEqualTo(1_000);
        // Once the windows have passed, the rate is measured anew.
        assertThat(quotas.recordListenerConnection("PLAINTEXT", nowMs + 11_000)).isZero();
    }

    @Test
    void theBrokerCreationRateSparesTheInterBrokerListener() {
        ConnectionQuotas quotas = new ConnectionQuotas(limits(UNLIMITED, Map.of(), UNLIMITED, Map.of(), 1, Map.of(),
                "INTERNAL"), IpConnectionRateQuotas.NONE, List.of("EXTERNAL", "INTERNAL"));
        for (int connection = 0; connection < 10; connection++) {
            assertThat(quotas.recordListenerConnection("EXTERNAL", 0)).isZero();
        }
        assertThat(quotas.recordListenerConnection("EXTERNAL", 0)).isPositive();
        assertThat(quotas.recordListenerConnection("INTERNAL", 0)).isZero();
    }

    @Test
    void anAddressAboveItsConnectionCreationRateQuotaIsThrottledAndOthersAreNot() {
        ConnectionQuotas quotas = new ConnectionQuotas(ConnectionLimits.unlimited(),
                address -> address.equals(CLIENT) ? 1 : IpConnectionRateQuotas.UNLIMITED, List.of("PLAINTEXT"));
        for (int connection = 0; connection < 10; connection++) {
            assertThat(quotas.recordIpConnection(CLIENT, 5_000)).isZero();
        }
        assertThat(quotas.recordIpConnection(CLIENT, 5_000)).isEqualTo(1_000);
        assertThat(quotas.recordIpConnection(OTHER_CLIENT, 5_000)).isZero();
    }

    @Test
    void limitsAreReadWithKafkasNamesAndRules() {
        Map<String, String> settings = new HashMap<>(Map.of("node.id", "1", "process.roles", "broker,controller",
                "max.connections", "100", "max.connections.per.ip", "5",
                "max.connections.per.ip.overrides", "127.0.0.2:7, ::1 : 9",
                "listener.name.external.max.connections", "40",
                "listener.name.external.max.connection.creation.rate", "3",
                "max.connection.creation.rate", "50"));
        ConnectionLimits limits = ConnectionLimits.of(BrokerConfig.fromMap(settings), List.of("EXTERNAL", "INTERNAL"),
                "internal");

        assertThat(limits.maxConnections()).isEqualTo(100);
        assertThat(limits.maxConnections("EXTERNAL")).isEqualTo(40);
        assertThat(limits.maxConnections("INTERNAL")).isEqualTo(UNLIMITED);
        assertThat(limits.maxConnectionsPerIp(address("127.0.0.2"))).isEqualTo(7);
        assertThat(limits.maxConnectionsPerIp(address("::1"))).isEqualTo(9);
        assertThat(limits.maxConnectionsPerIp(CLIENT)).isEqualTo(5);
        assertThat(limits.maxConnectionCreationRate("EXTERNAL")).isEqualTo(3);
        assertThat(limits.maxConnectionCreationRate()).isEqualTo(50);
        assertThat(limits.interBrokerListener()).isEqualTo("INTERNAL");
        assertThat(limits.quotaWindowCount()).isEqualTo(11);
        assertThat(limits.quotaWindowSizeMs()).isEqualTo(1_000);
    }

    @Test
    void malformedLimitsAreRefusedNamingTheKey() {
        Map<String, String> zeroPerIp = Map.of("node.id", "1", "process.roles", "broker,controller",
                "max.connections.per.ip", "0");
        assertThatThrownBy(() -> ConnectionLimits.of(BrokerConfig.fromMap(zeroPerIp), List.of("PLAINTEXT"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.connections.per.ip")
                .hasMessageContaining("only if max.connections.per.ip.overrides");
        assertThatThrownBy(() -> ConnectionLimits.parseOverrides("127.0.0.1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.connections.per.ip.overrides");
        assertThatThrownBy(() -> ConnectionLimits.parseOverrides("127.0.0.1:many"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a number");
        Map<String, String> badListener = Map.of("node.id", "1", "process.roles", "broker,controller",
                "listener.name.plaintext.max.connections", "-1");
        assertThatThrownBy(() -> ConnectionLimits.of(BrokerConfig.fromMap(badListener), List.of("PLAINTEXT"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listener.name.plaintext.max.connections");
    }
}
