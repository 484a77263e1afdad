package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ClientMetricsResourceListing;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListConfigResourcesOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's Admin client lists config resources (KIP-1142) of a node: topics, the broker and its loggers, groups with
 * config overrides; and the v0 form, listClientMetricsResources, finds none.
 */
class ListConfigResourcesIT {
    @TempDir
    Path data;

    private static Collection<ConfigResource> list(Admin admin, ConfigResource.Type... types) throws Exception {
        return admin.listConfigResources(Set.of(types), new ListConfigResourcesOptions()).all()
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void theAdminClientListsTopicsBrokersLoggersAndConfiguredGroups() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("offsets.topic.num.partitions", "1"));
             Admin admin = node.admin()) {
            ConsumerGroupIT.createTopic(node, "orders", 2);
            ConsumerGroupIT.createTopic(node, "payments", 1);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, "tuned"), List.of(
                    new AlterConfigOp(new ConfigEntry("consumer.heartbeat.interval.ms", "7000"),
                            AlterConfigOp.OpType.SET)))).all().get(20, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(list(admin))
                    .contains(new ConfigResource(ConfigResource.Type.TOPIC, "orders"),
                            new ConfigResource(ConfigResource.Type.TOPIC, "payments"),
                            new ConfigResource(ConfigResource.Type.GROUP, "tuned"),
                            new ConfigResource(ConfigResource.Type.BROKER, "1"),
                            new ConfigResource(ConfigResource.Type.BROKER_LOGGER, "1")));
            assertThat(list(admin, ConfigResource.Type.GROUP)).containsExactly(
                    new ConfigResource(ConfigResource.Type.GROUP, "tuned"));
            assertThat(list(admin, ConfigResource.Type.BROKER, ConfigResource.Type.TOPIC))
                    .contains(new ConfigResource(ConfigResource.Type.BROKER, "1"),
                            new ConfigResource(ConfigResource.Type.TOPIC, "orders"))
                    .extracting(ConfigResource::type)
                    .containsOnly(ConfigResource.Type.BROKER, ConfigResource.Type.TOPIC);
            assertThat(list(admin, ConfigResource.Type.CLIENT_METRICS)).isEmpty();
            assertThat(admin.listConfigResources().all().get(20, TimeUnit.SECONDS))
                    .contains(new ConfigResource(ConfigResource.Type.TOPIC, "orders"));
            @SuppressWarnings("removal") // the v0 form, deprecated for removal in 4.x
            Collection<ClientMetricsResourceListing> clientMetrics = admin.listClientMetricsResources().all()
                    .get(20, TimeUnit.SECONDS);
            assertThat(clientMetrics).isEmpty();
        }
    }
}
