package io.fjord.broker.handlers;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.controller.ControllerResponses;
import io.fjord.broker.controller.ForwardingException;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeClientQuotasResponseData;
import io.fjord.protocol.message.DescribeLogDirsResponseData;
import io.fjord.protocol.message.DescribeUserScramCredentialsResponseData;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * The APIs that need one permission on the cluster for the whole request, as Kafka 4.4 checks them: the forwarded
 * controller APIs (UpdateFeatures, ElectLeaders, partition reassignments, voter changes, UnregisterBroker and
 * AlterUserScramCredentials need ALTER; AlterClientQuotas ALTER_CONFIGS; DescribeQuorum and ListPartitionReassignments
 * DESCRIBE), DescribeLogDirs and DescribeUserScramCredentials (DESCRIBE), DescribeClientQuotas (DESCRIBE_CONFIGS) and
 * WriteTxnMarkers (CLUSTER_ACTION: only brokers write markers). A denied
 * request gets CLUSTER_AUTHORIZATION_FAILED wherever its response has an error code. Forwarded APIs are checked here,
 * at the broker the client sent them to, with the client's principal: the forwarded request carries no principal, so
 * the controller could not check it, and the broker's check is the one Kafka's controller makes on the envelope's
 * principal.
 *
 * <p>Stateless; thread-safe.
 */
final class ClusterApiAuthorization {
    /** Fails every forwarded request, so the forwarded handler answers it in its API's error shape and version. */
    private static final ControllerChannel DENIED = (api, request) -> CompletableFuture.failedFuture(
            new ForwardingException(Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED.message()));

    private ClusterApiAuthorization() {
    }

    /** The checked handler of {@code api}, or null when the cluster check is not this API's. */
    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        return switch (api) {
            case UPDATE_FEATURES, ELECT_LEADERS, ALTER_PARTITION_REASSIGNMENTS, ADD_RAFT_VOTER, REMOVE_RAFT_VOTER,
                    UNREGISTER_BROKER, ALTER_USER_SCRAM_CREDENTIALS -> forwarded(api, handler, authorization,
                    AclOperation.ALTER);
            case ALTER_CLIENT_QUOTAS -> forwarded(api, handler, authorization, AclOperation.ALTER_CONFIGS);
            case DESCRIBE_CLIENT_QUOTAS -> (context, request) -> authorization.authorizeCluster(context,
                    AclOperation.DESCRIBE_CONFIGS) ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(new DescribeClientQuotasResponseData()
                            .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
            case DESCRIBE_QUORUM, LIST_PARTITION_REASSIGNMENTS -> forwarded(api, handler, authorization,
                    AclOperation.DESCRIBE);
            case DESCRIBE_LOG_DIRS -> (context, request) -> authorization.authorizeCluster(context,
                    AclOperation.DESCRIBE) ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(new DescribeLogDirsResponseData()
                            .setErrorCode(request.apiVersion() >= 3 ? Errors.CLUSTER_AUTHORIZATION_FAILED.code() : 0));
            case DESCRIBE_USER_SCRAM_CREDENTIALS -> (context, request) -> authorization.authorizeCluster(context,
                    AclOperation.DESCRIBE) ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponseData()
                            .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
            case WRITE_TXN_MARKERS -> (context, request) -> authorization.authorizeCluster(context,
                    AclOperation.CLUSTER_ACTION) ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(everyMarker((WriteTxnMarkersRequestData) request.body()));
            default -> null;
        };
    }

    private static ApiHandler forwarded(ApiKey api, ApiHandler handler, RequestAuthorization authorization,
            AclOperation operation) {
        ApiHandler denied = new ForwardedControllerHandler(DENIED, api);
        return (context, request) -> authorization.authorizeCluster(context, operation)
                ? handler.handle(context, request) : denied.handle(context, request);
    }

    /** Kafka's error response to WriteTxnMarkers: the error for every partition of every marker. */
    private static ApiMessage everyMarker(WriteTxnMarkersRequestData request) {
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        for (WriteTxnMarkersRequestData.WritableTxnMarker marker : request.markers()) {
            WriteTxnMarkersResponseData.WritableTxnMarkerResult result =
                    new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(marker.producerId());
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic topic : marker.topics()) {
                WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult topicResult =
                        new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName(topic.name());
                for (int partition : topic.partitionIndexes()) {
                    topicResult.partitions().add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                            .setPartitionIndex(partition).setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
                }
                result.topics().add(topicResult);
            }
            response.markers().add(result);
        }
        return response;
    }
}
