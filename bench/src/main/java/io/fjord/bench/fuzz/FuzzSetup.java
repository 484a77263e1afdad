package io.fjord.bench.fuzz;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Prepares a node for a run and learns the run's {@link FuzzContext}: creates the fuzz topics and the health check's
 * control topic (with its own size and retention overrides, so fuzzed broker defaults cannot starve it) through the
 * Admin client, reads their ids, and intersects the versions the node advertises with kafka-clients'. Stateless.
 */
final class FuzzSetup {
    private static final int TIMEOUT_SECONDS = 60;

    private FuzzSetup() {
    }

    static FuzzContext prepare(InetSocketAddress address) throws IOException, InterruptedException {
        Map<ApiKeys, short[]> versions = commonVersions(address);
        Map<String, Object> properties = new HashMap<>();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address.getHostString() + ":" + address.getPort());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        try (Admin admin = Admin.create(properties)) {
            List<NewTopic> topics = new ArrayList<>();
            topics.add(new NewTopic(FuzzContext.FUZZ_TOPICS.get(0), 2, (short) 1));
            topics.add(new NewTopic(FuzzContext.FUZZ_TOPICS.get(1), 2, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")));
            topics.add(new NewTopic(FuzzContext.FUZZ_TOPICS.get(2), 2, (short) 1)
                    .configs(Map.of("compression.type", "gzip")));
            topics.add(new NewTopic(FuzzContext.FUZZ_TOPICS.get(3), 2, (short) 1)
                    .configs(Map.of("compression.type", "zstd")));
            topics.add(new NewTopic(FuzzContext.CONTROL_TOPIC, 1, (short) 1).configs(Map.of(
                    "max.message.bytes", "1048588", "retention.ms", "3600000", "retention.bytes", "-1",
                    "segment.bytes", "16777216", "cleanup.policy", "delete", "compression.type", "producer",
                    "message.timestamp.type", "CreateTime")));
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IOException("cannot create " + topic.name(), e.getCause());
                    }
                }
            }
            Map<String, TopicDescription> descriptions = admin.describeTopics(FuzzContext.FUZZ_TOPICS)
                    .allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<Uuid> ids = new ArrayList<>();
            for (String name : FuzzContext.FUZZ_TOPICS) {
                ids.add(descriptions.get(name).topicId());
            }
            int nodeId = admin.describeCluster().controller().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).id();
            return new FuzzContext(versions, ids, nodeId);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot prepare the node at " + address, e);
        }
    }

    /** Per API, the versions both the node (its ApiVersions answer) and kafka-clients 4.4.0 know. */
    static Map<ApiKeys, short[]> commonVersions(InetSocketAddress address) throws IOException {
        short version = 3;
        try (Socket socket = new Socket()) {
            socket.connect(address, TIMEOUT_SECONDS * 1000);
            socket.setSoTimeout(TIMEOUT_SECONDS * 1000);
            socket.getOutputStream().write(RequestFrames.frame(ApiKeys.API_VERSIONS, version, 1, "fjord-fuzz",
                    new ApiVersionsRequestData().setClientSoftwareName("fjord-fuzz").setClientSoftwareVersion("1")));
            DataInputStream input = new DataInputStream(socket.getInputStream());
            byte[] body = new byte[input.readInt()];
            input.readFully(body);
            ByteBuffer buffer = ByteBuffer.wrap(body);
            ResponseHeader.parse(buffer, ApiKeys.API_VERSIONS.responseHeaderVersion(version));
            ApiVersionsResponseData response = new ApiVersionsResponseData(new ByteBufferAccessor(buffer), version);
            Map<ApiKeys, short[]> versions = new HashMap<>();
            for (ApiVersionsResponseData.ApiVersion advertised : response.apiKeys()) {
                if (!ApiKeys.hasId(advertised.apiKey())) {
                    continue;
                }
                ApiKeys api = ApiKeys.forId(advertised.apiKey());
                short oldest = (short) Math.max(advertised.minVersion(), api.oldestVersion());
                short newest = (short) Math.min(advertised.maxVersion(), api.latestVersion());
                if (oldest <= newest) {
                    versions.put(api, new short[] {oldest, newest});
                }
            }
            return versions;
        }
    }
}
