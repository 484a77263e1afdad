package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeConfigsRequestData;
import io.fjord.protocol.message.DescribeConfigsResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The config APIs' checks, as Kafka 4.4's: DescribeConfigs needs DESCRIBE_CONFIGS, AlterConfigs and
 * IncrementalAlterConfigs ALTER_CONFIGS, on the topic for a TOPIC resource, on the group for a GROUP one, and on the
 * cluster for BROKER, BROKER_LOGGER (not legacy AlterConfigs, which refuses loggers as INVALID_REQUEST) and
 * CLIENT_METRICS ones. A denied resource gets TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED and is not sent on; the
 * others are answered by the handler, in the request's order. A resource named twice is left to the handler, which
 * answers INVALID_REQUEST before any check as Kafka does, and so are resource types Kafka does not know.
 *
 * <p>Stateless; thread-safe.
 */
final class ConfigApiAuthorization {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte BROKER_LOGGER = 8;
    private static final byte CLIENT_METRICS = 16;
    private static final byte GROUP = 32;

    private ConfigApiAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        return switch (api) {
            case DESCRIBE_CONFIGS -> (context, request) -> describeConfigs(context, request, handler, authorization);
            case ALTER_CONFIGS -> (context, request) -> alterConfigs(context, request, handler, authorization);
            case INCREMENTAL_ALTER_CONFIGS -> (context, request) -> incrementalAlterConfigs(context, request,
                    handler, authorization);
            default -> null;
        };
    }

    /** The resource's type and name, as the request names it. */
    private record Resource(byte type, String name) {
    }

    /**
     * The error a denied resource gets, or NONE when {@code operation} on it is allowed (or left to the handler).
     *
     * @param loggersChecked whether BROKER_LOGGER resources are this API's to check
     */
    private static Errors check(RequestContext context, RequestAuthorization authorization, AclOperation operation,
            Resource resource, boolean loggersChecked) {
        return switch (resource.type()) {
            case TOPIC -> authorization.authorize(context, operation, AclResourceType.TOPIC, resource.name())
                    ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> authorization.authorize(context, operation, AclResourceType.GROUP, resource.name())
                    ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
            case BROKER, CLIENT_METRICS -> authorization.authorizeCluster(context, operation)
                    ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
            case BROKER_LOGGER -> !loggersChecked || authorization.authorizeCluster(context, operation)
                    ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
            default -> Errors.NONE;
        };
    }

    /** Each resource's error: NONE for those the handler is to answer. */
    private static List<Errors> checkAll(RequestContext context, RequestAuthorization authorization,
            AclOperation operation, List<Resource> resources, boolean loggersChecked) {
        Map<Resource, Integer> counts = new HashMap<>();
        resources.forEach(resource -> counts.merge(resource, 1, Integer::sum));
        List<Errors> errors = new ArrayList<>(resources.size());
        for (Resource resource : resources) {
            errors.add(counts.get(resource) > 1 ? Errors.NONE
                    : check(context, authorization, operation, resource, loggersChecked));
        }
        return errors;
    }

    /**
     * Sends the allowed resources on and answers in the request's order: each denied resource's answer made by
     * {@code denied}, each other the handler's next one.
     */
    private static <R, A> CompletionStage<ApiMessage> answer(RequestContext context, DecodedRequest request,
            ApiHandler handler, List<R> resources, List<Errors> errors, Consumer<List<R>> send,
            Function<ApiMessage, List<A>> answers, DeniedAnswer<R, A> denied) {
        if (errors.stream().allMatch(error -> error == Errors.NONE)) {
            return handler.handle(context, request);
        }
        List<R> allowed = new ArrayList<>();
        for (int index = 0; index < resources.size(); index++) {
            if (errors.get(index) == Errors.NONE) {
                allowed.add(resources.get(index));
            }
        }
        List<R> asked = new ArrayList<>(resources);
        send.accept(allowed);
        return handler.handle(context, request).thenApply(response -> {
            List<A> handled = answers.apply(response);
            if (handled == null) {
                return response;
            }
            Iterator<A> fromHandler = new ArrayList<>(handled).iterator();
            handled.clear();
            for (int index = 0; index < asked.size(); index++) {
                Errors error = errors.get(index);
                if (error != Errors.NONE) {
                    handled.add(denied.answer(asked.get(index), error));
                } else if (fromHandler.hasNext()) {
                    handled.add(fromHandler.next());
                }
            }
            fromHandler.forEachRemaining(handled::add);
            return response;
        });
    }

    /** A denied resource's answer. */
    @FunctionalInterface
    private interface DeniedAnswer<R, A> {
        A answer(R resource, Errors error);
    }

    private static CompletionStage<ApiMessage> describeConfigs(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        DescribeConfigsRequestData body = (DescribeConfigsRequestData) request.body();
        List<Resource> resources = body.resources().stream()
                .map(resource -> new Resource(resource.resourceType(), resource.resourceName())).toList();
        // DescribeConfigs answers repeated resources once each, so every one is checked.
        List<Errors> errors = resources.stream()
                .map(resource -> check(context, authorization, AclOperation.DESCRIBE_CONFIGS, resource, true))
                .toList();
        return answer(context, request, handler, body.resources(), errors, body::setResources,
                response -> response instanceof DescribeConfigsResponseData described ? described.results() : null,
                (resource, error) -> new DescribeConfigsResponseData.DescribeConfigsResult()
                        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                        .setErrorCode(error.code()).setErrorMessage(error.message())
                        .setConfigs(new ArrayList<>()));
    }

    private static CompletionStage<ApiMessage> alterConfigs(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        AlterConfigsRequestData body = (AlterConfigsRequestData) request.body();
        List<Errors> errors = checkAll(context, authorization, AclOperation.ALTER_CONFIGS, body.resources().stream()
                .map(resource -> new Resource(resource.resourceType(), resource.resourceName())).toList(), false);
        return answer(context, request, handler, body.resources(), errors, body::setResources,
                response -> response instanceof AlterConfigsResponseData altered ? altered.responses() : null,
                (resource, error) -> new AlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                        .setErrorCode(error.code()).setErrorMessage(error.message()));
    }

    private static CompletionStage<ApiMessage> incrementalAlterConfigs(RequestContext context,
            DecodedRequest request, ApiHandler handler, RequestAuthorization authorization) {
        IncrementalAlterConfigsRequestData body = (IncrementalAlterConfigsRequestData) request.body();
        List<Errors> errors = checkAll(context, authorization, AclOperation.ALTER_CONFIGS, body.resources().stream()
                .map(resource -> new Resource(resource.resourceType(), resource.resourceName())).toList(), true);
        return answer(context, request, handler, body.resources(), errors, body::setResources,
                response -> response instanceof IncrementalAlterConfigsResponseData altered
                        ? altered.responses() : null,
                (resource, error) -> new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                        .setErrorCode(error.code()).setErrorMessage(error.message()));
    }
}
