package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.controller.ControllerResponses;
import io.fjord.broker.controller.ForwardingException;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeClusterResponseData;
import io.fjord.raft.transport.ControllerListenerAuthorization;
import io.fjord.raft.transport.ControllerRequestHandler;
import io.fjord.raft.transport.InboundPrincipal;
import java.util.concurrent.CompletableFuture;

/**
 * The controller listener's checks, as Kafka 4.4's {@code ControllerApis} makes them with the connection's principal:
 * CLUSTER_ACTION on the cluster for the Raft APIs (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot,
 * UpdateRaftVoter) and the broker-to-controller APIs (BrokerRegistration, BrokerHeartbeat, AlterPartition,
 * AllocateProducerIds); DESCRIBE for DescribeQuorum; ALTER for AddRaftVoter, RemoveRaftVoter, CreateAcls, DeleteAcls
 * and DescribeCluster (KIP-919: a controller asks more than a broker). A client API (CreateTopics, ElectLeaders, ...)
 * from a principal with CLUSTER_ACTION is a broker forwarding what its client sent, already checked there with the
 * client's principal (Fjord forwards without Kafka's envelope, whose CLUSTER_ACTION check this is); from any other
 * principal it gets the broker's own checks of that API ({@link AuthorizingHandlers}), so a client bootstrapped on the
 * controller listener is checked as on a broker. Denials answer in the API's error shape and are logged through the
 * {@code DenialLog}.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
public final class ControllerListenerAuthorizer implements ControllerListenerAuthorization {
    private static final ForwardingException DENIED = new ForwardingException(Errors.CLUSTER_AUTHORIZATION_FAILED,
            Errors.CLUSTER_AUTHORIZATION_FAILED.message());

    private final RequestAuthorization authorization;
    private final MetadataCache cache;
    private final String listenerName;

    /**
     * @param authorization the node's authorizer and denial log
     * @param cache the metadata the topic checks resolve ids in
     * @param listenerName the controller listener's name (in the request context)
     */
    public ControllerListenerAuthorizer(RequestAuthorization authorization, MetadataCache cache, String listenerName) {
        this.authorization = authorization;
        this.cache = cache;
        this.listenerName = listenerName;
    }

    @Override
    public boolean enabled() {
        return authorization.enabled();
    }

    @Override
    public boolean allows(InboundPrincipal principal, ApiKey api) {
        AclOperation operation = switch (api) {
            case DESCRIBE_QUORUM -> AclOperation.DESCRIBE;
            case ADD_RAFT_VOTER, REMOVE_RAFT_VOTER -> AclOperation.ALTER;
            default -> AclOperation.CLUSTER_ACTION;
        };
        return authorization.authorizeCluster(context(principal), operation);
    }

    @Override
    public CompletableFuture<ApiMessage> handle(InboundPrincipal principal, DecodedRequest request,
            ControllerRequestHandler handler) {
        RequestContext context = context(principal);
        ApiKey api = request.apiKey();
        ApiHandler served = (ignored, decoded) -> handler.handle(api, decoded.apiVersion(), decoded.body());
        ApiHandler checked = switch (api) {
            case BROKER_REGISTRATION, BROKER_HEARTBEAT, ALTER_PARTITION, ALLOCATE_PRODUCER_IDS ->
                    cluster(AclOperation.CLUSTER_ACTION, served);
            case CREATE_ACLS, DELETE_ACLS -> forwardedOrChecked(context, cluster(AclOperation.ALTER, served), served);
            case DESCRIBE_CLUSTER -> cluster(AclOperation.ALTER, served);
            default -> {
                ApiHandler clientChecks = AuthorizingHandlers.checked(api, served, authorization, cache);
                // An API without a client check of its own is one only nodes send.
                yield forwardedOrChecked(context, clientChecks != null ? clientChecks
                        : cluster(AclOperation.CLUSTER_ACTION, served), served);
            }
        };
        return checked.handle(context, request).toCompletableFuture();
    }

    /** {@code served} as it came for a forwarding broker (CLUSTER_ACTION, asked quietly), else {@code checked}. */
    private ApiHandler forwardedOrChecked(RequestContext context, ApiHandler checked, ApiHandler served) {
        return authorization.authorizeQuietly(context, AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME) ? served : checked;
    }

    /** {@code served} when the principal may perform {@code operation} on the cluster, else the API's denial. */
    private ApiHandler cluster(AclOperation operation, ApiHandler served) {
        return (context, request) -> authorization.authorizeCluster(context, operation)
                ? served.handle(context, request) : CompletableFuture.completedFuture(denial(request));
    }

    private static ApiMessage denial(DecodedRequest request) {
        if (request.apiKey() == ApiKey.DESCRIBE_CLUSTER) {
            return new DescribeClusterResponseData().setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message());
        }
        return ControllerResponses.failure(request.apiKey(), request.body(), DENIED);
    }

    private RequestContext context(InboundPrincipal principal) {
        return new RequestContext(0, listenerName, principal.remoteAddress(), System.nanoTime(),
                Principal.user(principal.user()));
    }
}
