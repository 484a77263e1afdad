package io.fjord.broker.config;

import static io.fjord.broker.config.AlterConfigOperation.append;
import static io.fjord.broker.config.AlterConfigOperation.delete;
import static io.fjord.broker.config.AlterConfigOperation.set;
import static io.fjord.broker.config.AlterConfigOperation.subtract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.IncrementalAlterConfigs.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncrementalAlterConfigsTest {

    @Test
    void setReplacesAndDeleteRemoves() {
        Outcome outcome = IncrementalAlterConfigs.applyToTopic(Map.of("retention.ms", "1000", "segment.ms", "5"),
                List.of(set("retention.ms", "2000"), delete("segment.ms"), delete("flush.ms")));

        assertThat(outcome.isError()).isFalse();
        assertThat(outcome.configs()).isEqualTo(Map.of("retention.ms", "2000"));
    }

    @Test
    void appendAndSubtractWorkOnListsStartingFromTheDefault() {
        Outcome appended = IncrementalAlterConfigs.applyToTopic(Map.of(),
                List.of(append("cleanup.policy", "compact")));
        assertThat(appended.configs()).containsEntry("cleanup.policy", "delete,compact");

        Outcome again = IncrementalAlterConfigs.applyToTopic(appended.configs(),
                List.of(append("cleanup.policy", "compact,delete")));
        assertThat(again.configs()).containsEntry("cleanup.policy", "delete,compact");

        Outcome subtracted = IncrementalAlterConfigs.applyToTopic(Map.of("leader.replication.throttled.replicas",
                "0:1,1:2,2:3"), List.of(subtract("leader.replication.throttled.replicas", "1:2, 9:9")));
        assertThat(subtracted.configs()).containsEntry("leader.replication.throttled.replicas", "0:1,2:3");

        Outcome emptied = IncrementalAlterConfigs.applyToTopic(Map.of(),
                List.of(subtract("cleanup.policy", "delete")));
        assertThat(emptied.configs()).containsEntry("cleanup.policy", "");
    }

    @Test
    void appendToANonListIsAnInvalidConfig() {
        Outcome outcome = IncrementalAlterConfigs.applyToTopic(Map.of(), List.of(append("retention.ms", "5")));

        assertThat(outcome.isError()).isTrue();
        assertThat(outcome.configs()).isNull();
        assertThat(outcome.error()).isEqualTo(ConfigApiError.invalidConfig(
                "Can't APPEND to key retention.ms because its type is not LIST."));
        assertThat(IncrementalAlterConfigs.applyToTopic(Map.of(), List.of(subtract("no.such", "x"))).error())
                .isEqualTo(ConfigApiError.invalidConfig("Unknown topic config name: no.such"));
    }

    @Test
    void duplicateKeysAndNullValuesAreInvalidRequests() {
        Outcome duplicate = IncrementalAlterConfigs.applyToTopic(Map.of(),
                List.of(set("retention.ms", "1"), delete("retention.ms")));
        assertThat(duplicate.error().errorCode()).isEqualTo(ConfigApiError.INVALID_REQUEST);

        Outcome nullSet = IncrementalAlterConfigs.applyToTopic(Map.of(), List.of(set("retention.ms", null)));
        assertThat(nullSet.error()).isEqualTo(ConfigApiError.invalidRequest("Null value not supported for : "
                + "retention.ms"));
    }

    @Test
    void brokerListsAppendToo() {
        Outcome outcome = IncrementalAlterConfigs.applyToBroker(Map.of(),
                List.of(append("log.cleanup.policy", "compact"), set("num.io.threads", "4")));
        assertThat(outcome.configs()).containsEntry("log.cleanup.policy", "delete,compact")
                .containsEntry("num.io.threads", "4");
    }

    @Test
    void brokerAppendToANonListOrUnknownNameHasKafkasBrokerMessages() {
        assertThat(IncrementalAlterConfigs.applyToBroker(Map.of(), List.of(append("log.retention.ms", "5"))).error())
                .isEqualTo(ConfigApiError.invalidConfig("Config value append is not allowed for config key: "
                        + "log.retention.ms"));
        assertThat(IncrementalAlterConfigs.applyToBroker(Map.of(), List.of(subtract("num.io.threads", "5"))).error())
                .isEqualTo(ConfigApiError.invalidConfig("Config value subtract is not allowed for config key: "
                        + "num.io.threads"));
        assertThat(IncrementalAlterConfigs.applyToBroker(Map.of(), List.of(append("no.such", "x"))).error())
                .isEqualTo(ConfigApiError.invalidConfig("Unknown config name: no.such"));
        assertThat(IncrementalAlterConfigs.applyToBroker(Map.of("log.retention.ms", "1"),
                List.of(delete("log.retention.ms"), set("my.custom", "v"))).configs())
                .isEqualTo(Map.of("my.custom", "v"));
    }

    @Test
    void operationIdsAreKafkas() {
        assertThat(AlterConfigOperation.Type.forId((byte) 0)).isEqualTo(AlterConfigOperation.Type.SET);
        assertThat(AlterConfigOperation.Type.forId((byte) 3)).isEqualTo(AlterConfigOperation.Type.SUBTRACT);
        assertThatThrownBy(() -> AlterConfigOperation.Type.forId((byte) 7))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()).isEqualTo((byte) 3);
        assertThat(ConfigType.PASSWORD.id()).isEqualTo((byte) 9);
    }
}
