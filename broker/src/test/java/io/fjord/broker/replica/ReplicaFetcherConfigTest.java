package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import org.junit.jupiter.api.Test;

class ReplicaFetcherConfigTest {
    @Test
    void kafkasReplicaSettingsAndDefaults() {
        assertThat(ReplicaFetcherConfig.from(BrokerConfig.parse("node.id=1\nprocess.roles=broker\n")))
                .isEqualTo(ReplicaFetcherConfig.withDefaults());
        ReplicaFetcherConfig set = ReplicaFetcherConfig.from(BrokerConfig.parse("node.id=1\nprocess.roles=broker\n"
                + "num.replica.fetchers=3\nreplica.fetch.max.bytes=2048\nreplica.fetch.response.max.bytes=4096\n"
                + "replica.fetch.wait.max.ms=100\nreplica.fetch.min.bytes=10\nreplica.fetch.backoff.ms=20\n"
                + "replica.socket.timeout.ms=5000\n"));
        assertThat(set).isEqualTo(new ReplicaFetcherConfig(3, 2048, 4096, 100, 10, 20, 5000, 10_000,
                100 * 1024 * 1024));
    }

    @Test
    void theSocketTimeoutMayNotBeShorterThanTheFetchWait() {
        assertThatThrownBy(() -> ReplicaFetcherConfig.from(BrokerConfig.parse("node.id=1\nprocess.roles=broker\n"
                + "replica.fetch.wait.max.ms=1000\nreplica.socket.timeout.ms=999\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("replica.socket.timeout.ms");
    }
}
