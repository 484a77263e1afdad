package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.AddOffsetsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The transaction APIs' checks, as Kafka 4.4's: InitProducerId needs WRITE on its transactional id, or for an
 * idempotent producer IDEMPOTENT_WRITE on the cluster or WRITE on any topic (else CLUSTER_AUTHORIZATION_FAILED);
 * AddPartitionsToTxn v0-3 WRITE on the transactional id and each topic (a denied topic TOPIC_AUTHORIZATION_FAILED, the
 * others OPERATION_NOT_ATTEMPTED), v4+ (brokers verifying) CLUSTER_ACTION; AddOffsetsToTxn WRITE on the transactional
 * id and READ on the group; EndTxn WRITE on the transactional id; TxnOffsetCommit WRITE on the transactional id, READ
 * on the group and on each topic; DescribeTransactions DESCRIBE on each id; ListTransactions lists only the ids the
 * principal may DESCRIBE.
 *
 * <p>Stateless; thread-safe.
 */
final class TransactionApiAuthorization {
    private TransactionApiAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        return switch (api) {
            case INIT_PRODUCER_ID -> (context, request) -> {
                Errors error = initProducerId(context, (InitProducerIdRequestData) request.body(), authorization);
                return error == Errors.NONE ? handler.handle(context, request)
                        : CompletableFuture.completedFuture(TransactionErrorResponses.initProducerId(error));
            };
            case ADD_PARTITIONS_TO_TXN -> (context, request) -> addPartitions(context, request, handler,
                    authorization);
            case ADD_OFFSETS_TO_TXN -> (context, request) -> {
                AddOffsetsToTxnRequestData body = (AddOffsetsToTxnRequestData) request.body();
                Errors error = !writeTransaction(context, authorization, body.transactionalId())
                        ? Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
                        : !authorization.authorize(context, AclOperation.READ, AclResourceType.GROUP, body.groupId())
                        ? Errors.GROUP_AUTHORIZATION_FAILED : Errors.NONE;
                return error == Errors.NONE ? handler.handle(context, request)
                        : CompletableFuture.completedFuture(TransactionErrorResponses.addOffsetsToTxn(error));
            };
            case END_TXN -> (context, request) -> writeTransaction(context, authorization,
                    ((EndTxnRequestData) request.body()).transactionalId()) ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(
                            TransactionErrorResponses.endTxn(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
            case TXN_OFFSET_COMMIT -> (context, request) -> txnOffsetCommit(context, request, handler,
                    authorization);
            case DESCRIBE_TRANSACTIONS -> (context, request) -> describeTransactions(context, request, handler,
                    authorization);
            case LIST_TRANSACTIONS -> (context, request) -> handler.handle(context, request).thenApply(response -> {
                if (response instanceof ListTransactionsResponseData listed) {
                    listed.transactionStates().removeIf(state -> !authorization.authorizeQuietly(context,
                            AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, state.transactionalId()));
                }
                return response;
            });
            default -> null;
        };
    }

    private static boolean writeTransaction(RequestContext context, RequestAuthorization authorization,
            String transactionalId) {
        return authorization.authorize(context, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID,
                transactionalId);
    }

    private static Errors initProducerId(RequestContext context, InitProducerIdRequestData body,
            RequestAuthorization authorization) {
        if (body.transactionalId() != null) {
            return writeTransaction(context, authorization, body.transactionalId()) ? Errors.NONE
                    : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        boolean idempotent = authorization.authorizeQuietly(context, AclOperation.IDEMPOTENT_WRITE,
                AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME)
                || authorization.authorizeAnyResource(context, AclOperation.WRITE, AclResourceType.TOPIC);
        return idempotent ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
    }

    private static CompletionStage<ApiMessage> addPartitions(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        AddPartitionsToTxnRequestData body = (AddPartitionsToTxnRequestData) request.body();
        if (request.apiVersion() >= 4) {
            // v4+ is the brokers' batched verification, never a client's.
            return authorization.authorizeCluster(context, AclOperation.CLUSTER_ACTION)
                    ? handler.handle(context, request)
                    : CompletableFuture.completedFuture(new AddPartitionsToTxnResponseData()
                            .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        }
        if (!writeTransaction(context, authorization, body.v3AndBelowTransactionalId())) {
            return CompletableFuture.completedFuture(TransactionErrorResponses.addPartitionsV3AndBelow(
                    body.v3AndBelowTopics(), (topic, partition) -> Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        List<String> names = body.v3AndBelowTopics().stream().map(AddPartitionsToTxnRequestData
                .AddPartitionsToTxnTopic::name).toList();
        Set<String> denied = authorization.denied(context, AclOperation.WRITE, AclResourceType.TOPIC, names);
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        // Kafka adds none of the partitions when any topic is denied.
        return CompletableFuture.completedFuture(TransactionErrorResponses.addPartitionsV3AndBelow(
                body.v3AndBelowTopics(), (topic, partition) -> denied.contains(topic)
                        ? Errors.TOPIC_AUTHORIZATION_FAILED : Errors.OPERATION_NOT_ATTEMPTED));
    }

    private static CompletionStage<ApiMessage> txnOffsetCommit(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        TxnOffsetCommitRequestData body = (TxnOffsetCommitRequestData) request.body();
        if (!writeTransaction(context, authorization, body.transactionalId())) {
            return CompletableFuture.completedFuture(GroupErrorResponses.txnOffsetCommit(body,
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (!authorization.authorize(context, AclOperation.READ, AclResourceType.GROUP, body.groupId())) {
            return CompletableFuture.completedFuture(GroupErrorResponses.txnOffsetCommit(body,
                    Errors.GROUP_AUTHORIZATION_FAILED));
        }
        return PartlyAllowed.handle(context, request, handler, body.topics(),
                topic -> topic.name() == null || topic.name().isEmpty()
                        || authorization.authorize(context, AclOperation.READ, AclResourceType.TOPIC, topic.name()),
                body::setTopics, denied -> GroupErrorResponses.txnOffsetCommit(new TxnOffsetCommitRequestData()
                        .setTopics(denied), Errors.TOPIC_AUTHORIZATION_FAILED), TxnOffsetCommitResponseData.class,
                (committed, denied) -> committed.topics().addAll(denied.topics()));
    }

    private static CompletionStage<ApiMessage> describeTransactions(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        DescribeTransactionsRequestData body = (DescribeTransactionsRequestData) request.body();
        List<String> allowed = new ArrayList<>();
        List<DescribeTransactionsResponseData.TransactionState> denied = new ArrayList<>();
        for (String transactionalId : body.transactionalIds()) {
            if (authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID,
                    transactionalId)) {
                allowed.add(transactionalId);
            } else {
                denied.add(TransactionErrorResponses.describeTransaction(transactionalId,
                        Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
            }
        }
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        if (allowed.isEmpty()) {
            return CompletableFuture.completedFuture(new DescribeTransactionsResponseData()
                    .setTransactionStates(denied));
        }
        body.setTransactionalIds(allowed);
        return handler.handle(context, request).thenApply(response -> {
            if (response instanceof DescribeTransactionsResponseData described) {
                described.transactionStates().addAll(denied);
            }
            return response;
        });
    }
}
