package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FindCoordinatorRequestData;
import io.fjord.protocol.message.FindCoordinatorResponseData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * FindCoordinator's check, as Kafka 4.4's: each key needs DESCRIBE on its group (else GROUP_AUTHORIZATION_FAILED) or
 * transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), and a share coordinator key CLUSTER_ACTION on the
 * cluster (only brokers look one up). A denied key gets no node (-1, "", -1) and does not reach the handler, so it
 * creates no internal topic either; the others are answered by the handler in the request's order.
 *
 * <p>Stateless; thread-safe.
 */
final class FindCoordinatorAuthorization {
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;
    private static final byte SHARE = 2;

    private FindCoordinatorAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        if (api != ApiKey.FIND_COORDINATOR) {
            return null;
        }
        return (context, request) -> findCoordinator(context, request, handler, authorization);
    }

    private static Errors check(RequestContext context, RequestAuthorization authorization, byte keyType,
            String key) {
        return switch (keyType) {
            case GROUP -> authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.GROUP, key)
                    ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
            case TRANSACTION -> authorization.authorize(context, AclOperation.DESCRIBE,
                    AclResourceType.TRANSACTIONAL_ID, key) ? Errors.NONE : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
            case SHARE -> authorization.authorizeCluster(context, AclOperation.CLUSTER_ACTION)
                    ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
            default -> Errors.NONE;
        };
    }

    private static CompletionStage<ApiMessage> findCoordinator(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        FindCoordinatorRequestData body = (FindCoordinatorRequestData) request.body();
        if (request.apiVersion() < 4) {
            Errors error = check(context, authorization, body.keyType(), body.key());
            return error == Errors.NONE ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(new FindCoordinatorResponseData().setErrorCode(error.code())
                            .setErrorMessage(request.apiVersion() >= 1 ? error.message() : null).setNodeId(-1)
                            .setHost("").setPort(-1));
        }
        List<String> keys = new ArrayList<>(body.coordinatorKeys());
        List<Errors> errors = keys.stream().map(key -> check(context, authorization, body.keyType(), key)).toList();
        if (errors.stream().allMatch(error -> error == Errors.NONE)) {
            return handler.handle(context, request);
        }
        List<String> allowed = new ArrayList<>();
        for (int index = 0; index < keys.size(); index++) {
            if (errors.get(index) == Errors.NONE) {
                allowed.add(keys.get(index));
            }
        }
        body.setCoordinatorKeys(allowed);
        CompletionStage<ApiMessage> handled = allowed.isEmpty()
                ? CompletableFuture.completedFuture(new FindCoordinatorResponseData())
                : handler.handle(context, request);
        return handled.thenApply(response -> {
            if (!(response instanceof FindCoordinatorResponseData found)) {
                return response;
            }
            Iterator<FindCoordinatorResponseData.Coordinator> fromHandler =
                    new ArrayList<>(found.coordinators()).iterator();
            found.coordinators().clear();
            for (int index = 0; index < keys.size(); index++) {
                Errors error = errors.get(index);
                if (error != Errors.NONE) {
                    found.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(keys.get(index))
                            .setNodeId(-1).setHost("").setPort(-1).setErrorCode(error.code())
                            .setErrorMessage(error.message()));
                } else if (fromHandler.hasNext()) {
                    found.coordinators().add(fromHandler.next());
                }
            }
            fromHandler.forEachRemaining(found.coordinators()::add);
            return response;
        });
    }
}
