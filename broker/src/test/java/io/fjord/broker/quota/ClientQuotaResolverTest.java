package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.quota.ClientQuotaEntity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientQuotaResolverTest {
    private static final String KEY = "producer_byte_rate";

    /** The eight levels of Kafka's precedence, most specific first, each with a distinct bound. */
    private static final List<ClientQuotaEntity> LEVELS = List.of(
            ClientQuotaEntity.userAndClient("alice", "app"),
            ClientQuotaEntity.userAndClient("alice", null),
            ClientQuotaEntity.of(ClientQuotaEntity.USER, "alice"),
            ClientQuotaEntity.userAndClient(null, "app"),
            ClientQuotaEntity.userAndClient(null, null),
            ClientQuotaEntity.of(ClientQuotaEntity.USER, null),
            ClientQuotaEntity.of(ClientQuotaEntity.CLIENT_ID, "app"),
            ClientQuotaEntity.of(ClientQuotaEntity.CLIENT_ID, null));
    private static final List<ClientQuotaResolver.SensorKey> SHARING = List.of(
            new ClientQuotaResolver.SensorKey("alice", "app"), new ClientQuotaResolver.SensorKey("alice", "app"),
            new ClientQuotaResolver.SensorKey("alice", ""), new ClientQuotaResolver.SensorKey("alice", "app"),
            new ClientQuotaResolver.SensorKey("alice", "app"), new ClientQuotaResolver.SensorKey("alice", ""),
            new ClientQuotaResolver.SensorKey("", "app"), new ClientQuotaResolver.SensorKey("", "app"));

    @Test
    void eachLevelWinsOverTheLessSpecificOnes() {
        for (int level = 0; level < LEVELS.size(); level++) {
            Map<ClientQuotaEntity, Map<String, Double>> quotas = new HashMap<>();
            for (int lower = level; lower < LEVELS.size(); lower++) {
                quotas.put(LEVELS.get(lower), Map.of(KEY, 100.0 + lower));
            }

            ClientQuotaResolver.QuotaMatch match = ClientQuotaResolver.resolve(quotas, KEY, "alice", "app")
                    .orElseThrow();

            assertThat(match.bound()).as("level %d", level).isEqualTo(100.0 + level);
            assertThat(match.sensorKey()).as("level %d", level).isEqualTo(SHARING.get(level));
        }
    }

    @Test
    void eachKeyIsResolvedOnItsOwnAndOtherNamesDoNotMatch() {
        Map<ClientQuotaEntity, Map<String, Double>> quotas = Map.of(
                ClientQuotaEntity.of(ClientQuotaEntity.USER, "alice"), Map.of("consumer_byte_rate", 5.0),
                ClientQuotaEntity.of(ClientQuotaEntity.CLIENT_ID, null), Map.of(KEY, 7.0));

        assertThat(ClientQuotaResolver.resolve(quotas, KEY, "alice", "app").orElseThrow().bound()).isEqualTo(7.0);
        assertThat(ClientQuotaResolver.resolve(quotas, "consumer_byte_rate", "bob", "app")).isEmpty();
        assertThat(ClientQuotaResolver.resolve(Map.of(), KEY, "alice", "app")).isEmpty();
    }

    @Test
    void theManagerMeasuresOnlyClientsWithAQuotaAndSharesOneRatePerEntity() {
        ClientQuotaManager manager = new ClientQuotaManager(KEY, 11, 1000, 1, Long.MAX_VALUE);
        manager.update(Map.of(ClientQuotaEntity.of(ClientQuotaEntity.USER, "alice"), Map.of(KEY, 1000.0)));

        assertThat(manager.recordAndGetThrottleTimeMs("bob", "app", 1_000_000, 0)).isZero();
        assertThat(manager.recordAndGetThrottleTimeMs("alice", "one", 5_000, 0)).isZero();
        // Two clients of alice share her rate: 15,000 bytes over 10 s is 1,500/s, 50 % over: 5 s.
        assertThat(manager.recordAndGetThrottleTimeMs("alice", "two", 10_000, 0)).isEqualTo(5_000);
        assertThat(manager.sensorCount()).isEqualTo(1);
        // Kafka's fetch rule: the quota times all windows but the current one.
        assertThat(manager.maxValueInQuotaWindow("alice", "one")).isEqualTo(10_000);
        assertThat(manager.maxValueInQuotaWindow("bob", "one")).isEqualTo(Long.MAX_VALUE);
        // A quota change applies at once.
        manager.update(Map.of());
        assertThat(manager.recordAndGetThrottleTimeMs("alice", "two", 10_000, 0)).isZero();
    }

    @Test
    void theRequestQuotaIsInPercentOfAThreadAndItsThrottleIsBoundedByOneWindow() {
        ClientQuotas quotas = new ClientQuotas(11, 1000);
        quotas.update(Map.of(ClientQuotaEntity.of(ClientQuotaEntity.USER, "alice"),
                Map.of("request_percentage", 10.0)));

        // 0.5 s of handler time over the assumed 10 s is 5 % of a thread: within 10 %.
        assertThat(quotas.request().recordAndGetThrottleTimeMs("alice", "c", 500_000_000L, 0)).isZero();
        // 3 s more: 35 %, far over; Kafka bounds the request throttle to one window.
        assertThat(quotas.request().recordAndGetThrottleTimeMs("alice", "c", 3_000_000_000L, 0)).isEqualTo(1000);
    }

    @Test
    void ipQuotasFallBackToTheDefaultIp() throws Exception {
        ClientQuotas quotas = new ClientQuotas(11, 1000);
        quotas.update(Map.of(ClientQuotaEntity.of(ClientQuotaEntity.IP, "10.0.0.1"),
                Map.of("connection_creation_rate", 2.0)));
        assertThat(quotas.connectionCreationRate(address("10.0.0.1"))).isEqualTo(2);
        assertThat(quotas.connectionCreationRate(address("10.0.0.2")))
                .isEqualTo(io.fjord.broker.network.IpConnectionRateQuotas.UNLIMITED);

        quotas.update(Map.of(ClientQuotaEntity.of(ClientQuotaEntity.IP, null),
                Map.of("connection_creation_rate", 9.0), ClientQuotaEntity.of(ClientQuotaEntity.IP, "::1"),
                Map.of("connection_creation_rate", 3.0)));
        assertThat(quotas.connectionCreationRate(address("10.0.0.2"))).isEqualTo(9);
        // An IPv6 entity written one way matches the address however the socket spells it.
        assertThat(quotas.connectionCreationRate(address("0:0:0:0:0:0:0:1"))).isEqualTo(3);
    }

    private static java.net.InetAddress address(String literal) throws Exception {
        return java.net.InetAddress.getByName(literal);
    }
}
