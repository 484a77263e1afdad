package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.protocol.message.DescribeClusterResponseData;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeCluster: cluster id, controller and brokers (fenced ones only when asked). Endpoint type 1 (brokers) is
 * served; asking for controllers (type 2) of a broker listener gets MISMATCHED_ENDPOINT_TYPE, as in Kafka.
 * Thread-safe.
 */
public final class DescribeClusterHandler implements ApiHandler {
    private static final byte BROKER_ENDPOINTS = 1;
    private final MetadataCache cache;

    public DescribeClusterHandler(MetadataCache cache) {
        this.cache = cache;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DescribeClusterRequestData body = (DescribeClusterRequestData) request.body();
        DescribeClusterResponseData response = new DescribeClusterResponseData().setClusterId(cache.clusterId())
                .setControllerId(cache.nodeId()).setEndpointType(body.endpointType())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (body.endpointType() != BROKER_ENDPOINTS) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                    .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an endpoint "
                            + "of type CONTROLLER"));
        }
        for (BrokerImage broker : cache.image().brokers().values()) {
            Optional<BrokerEndpoint> endpoint = Endpoints.on(broker, context.listenerName());
            if (endpoint.isEmpty() || (broker.fenced() && !body.includeFencedBrokers())) {
                continue;
            }
            response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(broker.brokerId())
                    .setHost(endpoint.get().host()).setPort(endpoint.get().port()).setRack(broker.rack())
                    .setIsFenced(broker.fenced()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
