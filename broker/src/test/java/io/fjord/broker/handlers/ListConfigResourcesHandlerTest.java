package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ListConfigResourcesRequestData;
import io.fjord.protocol.message.ListConfigResourcesResponseData;
import io.fjord.protocol.message.ListConfigResourcesResponseData.ConfigResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ListConfigResources v0 and v1 as raw requests against an image with topics, brokers and group configs. */
class ListConfigResourcesHandlerTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT", null, 0);

    private final MetadataCache cache = new MetadataCache("cluster", 1, image());

    private static MetadataImage image() {
        Map<Integer, BrokerImage> brokers = Map.of(
                10, broker(10, false, "PLAINTEXT"),
                2, broker(2, true, "PLAINTEXT"), // fenced brokers are listed too, as Kafka's getBrokerNodes does
                3, broker(3, false, "SSL")); // no endpoint on the request's listener: not listed
        TopicImage beta = new TopicImage("beta", UUID.randomUUID(), new TreeMap<>());
        TopicImage alpha = new TopicImage("alpha", UUID.randomUUID(), new TreeMap<>());
        TopicImage offsets = new TopicImage("__consumer_offsets", UUID.randomUUID(), new TreeMap<>());
        Map<String, TopicImage> byName = Map.of("beta", beta, "alpha", alpha, "__consumer_offsets", offsets);
        Map<UUID, TopicImage> byId = Map.of(beta.topicId(), beta, alpha.topicId(), alpha, offsets.topicId(), offsets);
        return new MetadataImage(7, brokers, byName, byId, Map.of("alpha", Map.of("retention.ms", "1")),
                Map.of("", Map.of("log.retention.ms", "5")), 0,
                Map.of("orders-group", Map.of("consumer.session.timeout.ms", "45000")));
    }

    private static BrokerImage broker(int brokerId, boolean fenced, String listenerName) {
        return new BrokerImage(brokerId, new UUID(0, brokerId),
                List.of(new BrokerEndpoint(listenerName, "localhost", 9092 + brokerId, (short) 0)), null, fenced);
    }

    private ListConfigResourcesResponseData send(short version, Byte... types) throws Exception {
        ListConfigResourcesRequestData request = new ListConfigResourcesRequestData()
                .setResourceTypes(new ArrayList<>(List.of(types)));
        ListConfigResourcesResponseData response = (ListConfigResourcesResponseData)
                new ListConfigResourcesHandler(cache).handle(CONTEXT, new DecodedRequest(
                        ApiKey.LIST_CONFIG_RESOURCES, version, 1, "test", (short) 2, request, 0))
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Every answer must encode at the request's version.
        assertThat(ResponseEncoder.encode(ApiKey.LIST_CONFIG_RESOURCES, version, 1, response).sizeBytes())
                .isPositive();
        return response;
    }

    private static List<String> rows(ListConfigResourcesResponseData response) {
        return response.configResources().stream().map(resource -> resource.resourceType() + ":"
                + resource.resourceName()).toList();
    }

    @Test
    void versionOneWithoutTypesListsEverySupportedTypeInKafkasOrder() throws Exception {
        ListConfigResourcesResponseData response = send((short) 1);

        assertThat(response.errorCode()).isZero();
        assertThat(rows(response)).containsExactly("32:orders-group", "8:2", "8:10", "4:2", "4:10",
                "2:__consumer_offsets", "2:alpha", "2:beta");
    }

    @Test
    void versionOneListsOnlyTheRequestedTypesEachOnce() throws Exception {
        assertThat(rows(send((short) 1, (byte) 2, (byte) 2))).containsExactly("2:__consumer_offsets", "2:alpha",
                "2:beta");
        assertThat(rows(send((short) 1, (byte) 2, (byte) 32, (byte) 4))).containsExactly("32:orders-group", "4:2",
                "4:10", "2:__consumer_offsets", "2:alpha", "2:beta");
        assertThat(rows(send((short) 1, (byte) 8))).containsExactly("8:2", "8:10");
        ListConfigResourcesResponseData clientMetrics = send((short) 1, (byte) 16);
        assertThat(clientMetrics.errorCode()).isZero();
        assertThat(clientMetrics.configResources()).isEmpty();
    }

    @Test
    void anUnsupportedTypeFailsTheWholeRequest() throws Exception {
        for (Byte[] types : List.of(new Byte[] {(byte) 64}, new Byte[] {(byte) 2, (byte) 1, (byte) 4},
                new Byte[] {(byte) 0})) {
            ListConfigResourcesResponseData response = send((short) 1, types);
            assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(response.configResources()).isEmpty();
        }
    }

    @Test
    void versionZeroListsClientMetricsResourcesOnlyOfWhichFjordHasNone() throws Exception {
        ListConfigResourcesResponseData response = send((short) 0);

        assertThat(response.errorCode()).isZero();
        assertThat(response.configResources()).extracting(ConfigResource::resourceName).isEmpty();
    }
}
