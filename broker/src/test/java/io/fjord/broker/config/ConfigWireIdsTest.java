package io.fjord.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.junit.jupiter.api.Test;

/** The ids Fjord writes into DescribeConfigs responses are kafka-clients' own. */
class ConfigWireIdsTest {
    @Test
    void configSourceIdsMatchKafkaClients() {
        for (ConfigSource source : ConfigSource.values()) {
            String kafkaName = source == ConfigSource.DYNAMIC_TOPIC_CONFIG ? "TOPIC_CONFIG" : source.name();
            assertThat(source.id()).as("%s", source)
                    .isEqualTo(DescribeConfigsResponse.ConfigSource.valueOf(kafkaName).id());
        }
    }

    @Test
    void configTypeIdsMatchKafkaClients() {
        for (ConfigType type : ConfigType.values()) {
            assertThat(type.id()).as("%s", type).isEqualTo(DescribeConfigsResponse.ConfigType.valueOf(type.name()).id());
        }
    }
}
