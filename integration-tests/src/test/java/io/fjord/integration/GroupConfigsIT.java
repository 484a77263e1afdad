package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group config resources (KIP-848's per-group settings, ConfigResource type GROUP) with the Admin client and Kafka's
 * own kafka-configs tool: described with Kafka's sources, altered and validated, durable across a restart, and
 * applied by the group coordinator (the heartbeat interval a member of the group is told).
 */
class GroupConfigsIT {
    private static final String CONFIG_COMMAND = "org.apache.kafka.tools.ConfigCommand";
    private static final String HEARTBEAT = "consumer.heartbeat.interval.ms";

    @TempDir
    Path data;

    /** The settling interval no shorter than any heartbeat interval, so members are told the configured one. */
    private static Map<String, String> nodeConfig() {
        return Map.of("offsets.topic.num.partitions", "3", "group.consumer.settling.heartbeat.interval.ms", "15000");
    }

    private static Config describe(Admin admin, String groupId) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)).all()
                .get(20, TimeUnit.SECONDS).get(resource);
    }

    private static void set(Admin admin, String groupId, String name, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, groupId), List.of(
                new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all()
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void groupConfigsAreDescribedAlteredKeptAcrossARestartAndApplied() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, nodeConfig()); Admin admin = node.admin()) {
            ConsumerGroupIT.createTopic(node, "orders", 2);
            ConfigEntry before = describe(admin, "tuned").get(HEARTBEAT);
            assertThat(before.value()).isEqualTo("5000");
            assertThat(before.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(describe(admin, "tuned").entries()).hasSize(21);

            set(admin, "tuned", HEARTBEAT, "7000");
            ConfigEntry after = describe(admin, "tuned").get(HEARTBEAT);
            assertThat(after.value()).isEqualTo("7000");
            assertThat(after.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
            assertThat(after.synonyms()).extracting(ConfigEntry.ConfigSynonym::source).containsExactly(
                    ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG, ConfigEntry.ConfigSource.DEFAULT_CONFIG);

            assertThatThrownBy(() -> set(admin, "tuned", "consumer.session.timeout.ms", "1000"))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.");

            assertThat(joinAndGetHeartbeatInterval(node, "tuned")).isEqualTo(7000);
            assertThat(joinAndGetHeartbeatInterval(node, "plain")).isEqualTo(5000);
        }
        try (FjordTestNode node = FjordTestNode.start(data, nodeConfig()); Admin admin = node.admin()) {
            ConfigEntry restarted = describe(admin, "tuned").get(HEARTBEAT);
            assertThat(restarted.value()).isEqualTo("7000");
            assertThat(restarted.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
            assertThat(joinAndGetHeartbeatInterval(node, "tuned")).isEqualTo(7000);
        }
    }

    @Test
    void kafkaConfigsToolAltersAndDescribesGroups() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, nodeConfig())) {
            KafkaDistribution.Result altered = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--alter",
                    "--entity-type", "groups", "--entity-name", "reports", "--add-config",
                    "consumer.session.timeout.ms=50000,share.delivery.count.limit=3");
            assertThat(altered.exitCode()).as("alter; errors: %s", altered.errors()).isZero();

            KafkaDistribution.Result described = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--describe",
                    "--entity-type", "groups", "--entity-name", "reports");
            assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
            assertThat(described.output()).contains("consumer.session.timeout.ms=50000 sensitive=false "
                    + "synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000, "
                    + "DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}")
                    .contains("share.delivery.count.limit=3");

            KafkaDistribution.Result all = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--describe",
                    "--entity-type", "groups", "--entity-name", "reports", "--all");
            assertThat(all.exitCode()).as("describe --all; errors: %s", all.errors()).isZero();
            assertThat(all.output()).contains("streams.assignor.name=sticky sensitive=false "
                    + "synonyms={DEFAULT_CONFIG:group.streams.assignors=sticky}");

            KafkaDistribution.Result refused = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--alter",
                    "--entity-type", "groups", "--entity-name", "reports", "--add-config", "no.such.key=1");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output() + refused.errors()).contains("Unknown group config name: no.such.key");
        }
    }

    /**
     * Joins a KIP-848 group with a raw ConsumerGroupHeartbeat (the Java consumer does not show the interval it is
     * told) and returns the heartbeat interval of the response; retries while the coordinator loads.
     */
    private static int joinAndGetHeartbeatInterval(FjordTestNode node, String groupId) throws Exception {
        try (Admin admin = node.admin()) {
            // FindCoordinator creates __consumer_offsets, which the raw heartbeat below needs.
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
        }
        String[] hostAndPort = node.bootstrapServers().split(":");
        try (Socket socket = new Socket(hostAndPort[0], Integer.parseInt(hostAndPort[1]))) {
            socket.setSoTimeout(20_000);
            int[] interval = new int[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ConsumerGroupHeartbeatResponseData response = heartbeat(socket, groupId);
                interval[0] = response.heartbeatIntervalMs();
                return response.errorCode() == Errors.NONE.code();
            });
            return interval[0];
        }
    }

    private static ConsumerGroupHeartbeatResponseData heartbeat(Socket socket, String groupId) throws IOException {
        ConsumerGroupHeartbeatRequestData data = new ConsumerGroupHeartbeatRequestData().setGroupId(groupId)
                .setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("orders")).setTopicPartitions(List.of());
        short version = 1;
        RequestHeader header = new RequestHeader(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version, "group-configs-it", 1);
        ByteBuffer request = new ConsumerGroupHeartbeatRequest.Builder(data).build(version)
                .serializeWithHeader(header);
        OutputStream output = socket.getOutputStream();
        output.write(ByteBuffer.allocate(4).putInt(request.remaining()).array());
        byte[] body = new byte[request.remaining()];
        request.get(body);
        output.write(body);
        output.flush();
        DataInputStream input = new DataInputStream(socket.getInputStream());
        int size = input.readInt();
        assertThat(size).isBetween(4, 1024 * 1024);
        byte[] response = new byte[size];
        input.readFully(response);
        return ((ConsumerGroupHeartbeatResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header))
                .data();
    }
}
