package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.Authorizer;
import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclCodes;
import io.fjord.metadata.acl.AclFilter;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.CreateAclsResponseData;
import io.fjord.protocol.message.DeleteAclsRequestData;
import io.fjord.protocol.message.DeleteAclsResponseData;
import io.fjord.protocol.message.DescribeAclsRequestData;
import io.fjord.protocol.message.DescribeAclsResponseData;
import io.fjord.protocol.message.DescribeAclsResponseData.AclDescription;
import io.fjord.protocol.message.DescribeAclsResponseData.DescribeAclsResource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The ACL APIs as Kafka 4.4's brokers serve them: CreateAcls and DeleteAcls, which need ALTER on the cluster, are
 * forwarded to the active controller ({@code AclControl} decides them); DescribeAcls, which needs DESCRIBE on the
 * cluster, is answered from the node's image, the ACLs grouped by resource pattern. Without an authorizer every ACL
 * API answers SECURITY_DISABLED ("No Authorizer is configured."), as Kafka's; a principal without the permission gets
 * CLUSTER_AUTHORIZATION_FAILED for every creation, filter or the whole description.
 *
 * <p>Thread-safe: holds only thread-safe collaborators and reads the current image once per request.
 */
public final class AclHandlers {
    private static final String NO_AUTHORIZER = "No Authorizer is configured.";

    private final ApiHandler forwardedCreations;
    private final ApiHandler forwardedDeletions;
    private final MetadataCache cache;
    private final Authorizer authorizer;

    public AclHandlers(ControllerChannel controller, MetadataCache cache, Authorizer authorizer) {
        this.forwardedCreations = new ForwardedControllerHandler(controller, ApiKey.CREATE_ACLS);
        this.forwardedDeletions = new ForwardedControllerHandler(controller, ApiKey.DELETE_ACLS);
        this.cache = cache;
        this.authorizer = authorizer;
    }

    /** The three handlers by API. */
    public Map<ApiKey, ApiHandler> handlers() {
        return Map.of(ApiKey.CREATE_ACLS, this::createAcls, ApiKey.DELETE_ACLS, this::deleteAcls,
                ApiKey.DESCRIBE_ACLS, this::describeAcls);
    }

    private CompletionStage<ApiMessage> createAcls(RequestContext context, DecodedRequest request) {
        CreateAclsRequestData body = (CreateAclsRequestData) request.body();
        Errors refusal = refusal(context, AclOperation.ALTER);
        if (refusal != null) {
            CreateAclsResponseData response = new CreateAclsResponseData();
            body.creations().forEach(creation -> response.results().add(new CreateAclsResponseData.AclCreationResult()
                    .setErrorCode(refusal.code()).setErrorMessage(message(refusal))));
            return CompletableFuture.completedFuture(response);
        }
        return forwardedCreations.handle(context, request);
    }

    private CompletionStage<ApiMessage> deleteAcls(RequestContext context, DecodedRequest request) {
        DeleteAclsRequestData body = (DeleteAclsRequestData) request.body();
        Errors refusal = refusal(context, AclOperation.ALTER);
        if (refusal != null) {
            DeleteAclsResponseData response = new DeleteAclsResponseData();
            body.filters().forEach(filter -> response.filterResults().add(
                    new DeleteAclsResponseData.DeleteAclsFilterResult().setErrorCode(refusal.code())
                            .setErrorMessage(message(refusal))));
            return CompletableFuture.completedFuture(response);
        }
        return forwardedDeletions.handle(context, request);
    }

    private CompletionStage<ApiMessage> describeAcls(RequestContext context, DecodedRequest request) {
        DescribeAclsRequestData body = (DescribeAclsRequestData) request.body();
        DescribeAclsResponseData response = new DescribeAclsResponseData();
        Errors refusal = refusal(context, AclOperation.DESCRIBE);
        if (refusal != null) {
            return CompletableFuture.completedFuture(response.setErrorCode(refusal.code())
                    .setErrorMessage(message(refusal)));
        }
        AclFilter filter = new AclFilter(AclCodes.resourceType(body.resourceTypeFilter()), body.resourceNameFilter(),
                AclCodes.patternType(body.patternTypeFilter()), body.principalFilter(), body.hostFilter(),
                AclCodes.operation(body.operation()), AclCodes.permissionType(body.permissionType()));
        if (filter.isUnknown()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("The filter contains UNKNOWN elements"));
        }
        // Grouped by resource pattern in a fixed order, so equal images describe alike.
        Map<ResourcePattern, List<Acl>> byResource = new TreeMap<>(ResourcePattern.ORDER);
        cache.image().acls().matching(filter).values().forEach(acl -> byResource.computeIfAbsent(
                new ResourcePattern(acl.resourceType().code(), acl.resourceName(), acl.patternType().code()),
                pattern -> new java.util.ArrayList<>()).add(acl));
        byResource.forEach((pattern, acls) -> {
            DescribeAclsResource resource = new DescribeAclsResource().setResourceType(pattern.resourceType())
                    .setResourceName(pattern.resourceName()).setPatternType(pattern.patternType());
            acls.stream().sorted(Comparator.comparing(Acl::principal).thenComparing(Acl::host)
                    .thenComparing(Acl::operation).thenComparing(Acl::permissionType))
                    .forEach(acl -> resource.acls().add(new AclDescription().setPrincipal(acl.principal())
                            .setHost(acl.host()).setOperation(acl.operation().code())
                            .setPermissionType(acl.permissionType().code())));
            response.resources().add(resource);
        });
        return CompletableFuture.completedFuture(response);
    }

    /** SECURITY_DISABLED without an authorizer, CLUSTER_AUTHORIZATION_FAILED without the permission, else null. */
    private Errors refusal(RequestContext context, AclOperation operation) {
        if (!authorizer.enabled()) {
            return Errors.SECURITY_DISABLED;
        }
        if (!authorizer.authorize(context, operation, AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME)) {
            return Errors.CLUSTER_AUTHORIZATION_FAILED;
        }
        return null;
    }

    private static String message(Errors error) {
        return error == Errors.SECURITY_DISABLED ? NO_AUTHORIZER : error.message();
    }

    private record ResourcePattern(byte resourceType, String resourceName, byte patternType) {
        static final Comparator<ResourcePattern> ORDER = Comparator.comparingInt(ResourcePattern::resourceType)
                .thenComparing(ResourcePattern::resourceName).thenComparingInt(ResourcePattern::patternType);
    }
}
