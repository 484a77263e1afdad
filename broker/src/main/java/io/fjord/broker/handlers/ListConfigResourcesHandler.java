package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ListConfigResourcesRequestData;
import io.fjord.protocol.message.ListConfigResourcesResponseData;
import io.fjord.protocol.message.ListConfigResourcesResponseData.ConfigResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * ListConfigResources (KIP-1142; v0 was ListClientMetricsResources, KIP-714): names the resources that configs can
 * be described for, from the metadata image, as Kafka 4.4 lists them. v0 lists client-metrics resources only; v1
 * lists the requested types, or every supported one (topic, broker, broker logger, client metrics, group) when none
 * is named; a request naming any other type fails whole with UNSUPPORTED_VERSION. Groups are those with config
 * overrides, topics every topic (internal ones too), brokers and broker loggers every registered broker with an
 * endpoint on the request's listener. Fjord has no client-metrics subscriptions (KIP-714 is not implemented), so that
 * type lists nothing. Kafka's order of types is kept: group, client metrics, broker logger, broker, topic; names are
 * sorted within a type. Thread-safe: reads one immutable image.
 */
public final class ListConfigResourcesHandler implements ApiHandler {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    static final byte BROKER_LOGGER = 8;
    static final byte CLIENT_METRICS = 16;
    static final byte GROUP = 32;
    private static final Set<Byte> SUPPORTED_TYPES = Set.of(TOPIC, BROKER, BROKER_LOGGER, CLIENT_METRICS, GROUP);

    private final MetadataCache cache;

    public ListConfigResourcesHandler(MetadataCache cache) {
        this.cache = cache;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        ListConfigResourcesRequestData body = (ListConfigResourcesRequestData) request.body();
        ListConfigResourcesResponseData response = new ListConfigResourcesResponseData();
        Set<Byte> types;
        if (request.apiVersion() == 0) {
            types = Set.of(CLIENT_METRICS);
        } else if (body.resourceTypes().isEmpty()) {
            types = SUPPORTED_TYPES;
        } else {
            types = Set.copyOf(body.resourceTypes());
            if (!SUPPORTED_TYPES.containsAll(types)) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
            }
        }
        response.setConfigResources(list(cache.image(), types, context.listenerName()));
        return CompletableFuture.completedFuture(response);
    }

    private static List<ConfigResource> list(MetadataImage image, Set<Byte> types, String listenerName) {
        List<ConfigResource> resources = new ArrayList<>();
        if (types.contains(GROUP)) {
            add(resources, GROUP, image.groupConfigs().keySet());
        }
        // CLIENT_METRICS: no subscriptions exist in a Fjord image.
        TreeSet<Integer> brokers = new TreeSet<>();
        for (BrokerImage broker : image.brokers().values()) {
            if (Endpoints.on(broker, listenerName).isPresent()) {
                brokers.add(broker.brokerId());
            }
        }
        List<String> brokerNames = brokers.stream().map(String::valueOf).toList();
        if (types.contains(BROKER_LOGGER)) {
            brokerNames.forEach(name -> resources.add(resource(BROKER_LOGGER, name)));
        }
        if (types.contains(BROKER)) {
            brokerNames.forEach(name -> resources.add(resource(BROKER, name)));
        }
        if (types.contains(TOPIC)) {
            add(resources, TOPIC, image.topicsByName().keySet());
        }
        return resources;
    }

    private static void add(List<ConfigResource> resources, byte type, Collection<String> names) {
        new TreeSet<>(names).forEach(name -> resources.add(resource(type, name)));
    }

    private static ConfigResource resource(byte type, String name) {
        return new ConfigResource().setResourceName(name).setResourceType(type);
    }
}
