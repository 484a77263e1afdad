package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic configs changed through IncrementalAlterConfigs are validated, durable, and reach the logs. */
class TopicConfigsIT {
    @TempDir
    Path data;

    private static Admin admin(FjordTestNode node) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()));
    }

    private static Config describe(Admin admin, ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource)).all().get(20, TimeUnit.SECONDS).get(resource);
    }

    private static void alter(Admin admin, ConfigResource resource, Collection<AlterConfigOp> operations)
            throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, operations)).all().get(20, TimeUnit.SECONDS);
    }

    @Test
    void incrementalChangesAreValidatedAppliedAndSurviveARestart() throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tuned");
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = admin(node)) {
            admin.createTopics(List.of(new NewTopic("tuned", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            alter(admin, topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)));
            Config config = describe(admin, topic);
            assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
            assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete,compact");
            var log = node.node().logManager().getLog(new io.fjord.storage.TopicPartition("tuned", 0)).orElseThrow();
            assertThat(log.config().retentionMs()).isEqualTo(3_600_000L);
            assertThat(log.config().compact()).isTrue();

            alter(admin, topic, List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", ""), AlterConfigOp.OpType.DELETE)));
            assertThat(describe(admin, topic).get("cleanup.policy").source())
                    .isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThatThrownBy(() -> alter(admin, topic, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET))))
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            assertThatThrownBy(() -> alter(admin, topic, List.of(new AlterConfigOp(
                    new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET))))
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            assertThatThrownBy(() -> alter(admin, new ConfigResource(ConfigResource.Type.TOPIC, "ghost"), List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET))))
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
            assertThatThrownBy(() -> alter(admin, new ConfigResource(ConfigResource.Type.BROKER, "1"), List.of(
                    new AlterConfigOp(new ConfigEntry("log.dirs", "/elsewhere"), AlterConfigOp.OpType.SET))))
                    .hasCauseInstanceOf(InvalidRequestException.class);
        }
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = admin(node)) {
            Config config = describe(admin, topic);
            assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
            var log = node.node().logManager().getLog(new io.fjord.storage.TopicPartition("tuned", 0)).orElseThrow();
            assertThat(log.config().retentionMs()).isEqualTo(3_600_000L);
        }
    }
}
