package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.Authorizer;
import io.fjord.broker.security.authorizer.StandardAuthorizer;
import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.acl.AclsImage;
import io.fjord.metadata.image.MetadataImage;
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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The ACL APIs' own checks: SECURITY_DISABLED without an authorizer, ALTER/DESCRIBE on the cluster, grouping. */
class AclHandlersTest {
    private static final Acl READ_ORDERS = new Acl(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL,
            "User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW);
    private static final Acl WRITE_ORDERS = new Acl(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL,
            "User:bob", "*", AclOperation.WRITE, AclPermissionType.ALLOW);
    private static final Acl PREFIXED = new Acl(AclResourceType.TOPIC, "ord", AclPatternType.PREFIXED,
            "User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.DENY);

    private final AtomicReference<ApiMessage> forwarded = new AtomicReference<>();
    private final ControllerChannel controller = (api, request) -> {
        forwarded.set(request);
        return CompletableFuture.completedFuture(api == ApiKey.CREATE_ACLS ? new CreateAclsResponseData()
                : new DeleteAclsResponseData());
    };
    private final AclsImage acls = AclsImage.of(Map.of(new UUID(0, 1), READ_ORDERS, new UUID(0, 2), WRITE_ORDERS,
            new UUID(0, 3), PREFIXED));
    private final MetadataCache cache = new MetadataCache("cluster", 1, new MetadataImage(1, Map.of(), Map.of(),
            Map.of(), Map.of(), Map.of(), 0, Map.of(), Map.of(), -1, Map.of(), acls));

    private static RequestContext as(String user) {
        return new RequestContext(1, "PLAINTEXT", new InetSocketAddress("127.0.0.1", 5000), 0, Principal.user(user));
    }

    private static ApiMessage call(AclHandlers handlers, ApiKey api, RequestContext context, ApiMessage body) {
        return handlers.handlers().get(api).handle(context, new DecodedRequest(api, (short) 3, 1, "test", (short) 2,
                body, 0)).toCompletableFuture().join();
    }

    private static CreateAclsRequestData creation() {
        return new CreateAclsRequestData().setCreations(new ArrayList<>(List.of(new CreateAclsRequestData
                .AclCreation().setResourceType((byte) 2).setResourceName("t").setResourcePatternType((byte) 3)
                .setPrincipal("User:x").setHost("*").setOperation((byte) 3).setPermissionType((byte) 3))));
    }

    private static DeleteAclsRequestData deletion() {
        return new DeleteAclsRequestData().setFilters(new ArrayList<>(List.of(new DeleteAclsRequestData
                .DeleteAclsFilter().setResourceTypeFilter((byte) 1).setPatternTypeFilter((byte) 1)
                .setOperation((byte) 1).setPermissionType((byte) 1))));
    }

    private static DescribeAclsRequestData everything() {
        return new DescribeAclsRequestData().setResourceTypeFilter((byte) 1).setResourceNameFilter(null)
                .setPatternTypeFilter((byte) 1).setPrincipalFilter(null).setHostFilter(null).setOperation((byte) 1)
                .setPermissionType((byte) 1);
    }

    @Test
    void withoutAnAuthorizerEveryAclApiAnswersSecurityDisabled() {
        AclHandlers handlers = new AclHandlers(controller, cache, Authorizer.ALLOW_ALL);

        assertThat(((CreateAclsResponseData) call(handlers, ApiKey.CREATE_ACLS, as("admin"), creation())).results())
                .singleElement().satisfies(r -> {
                    assertThat(r.errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
                    assertThat(r.errorMessage()).isEqualTo("No Authorizer is configured.");
                });
        assertThat(((DeleteAclsResponseData) call(handlers, ApiKey.DELETE_ACLS, as("admin"), deletion()))
                .filterResults()).singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code()));
        assertThat(((DescribeAclsResponseData) call(handlers, ApiKey.DESCRIBE_ACLS, as("admin"), everything()))
                .errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
        assertThat(forwarded.get()).isNull();
    }

    @Test
    void onlyAPrincipalAllowedOnTheClusterManagesOrDescribesAcls() {
        AclHandlers handlers = new AclHandlers(controller, cache,
                new StandardAuthorizer(() -> acls, Set.of("User:admin"), false));

        assertThat(((CreateAclsResponseData) call(handlers, ApiKey.CREATE_ACLS, as("alice"), creation())).results())
                .singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        assertThat(((DeleteAclsResponseData) call(handlers, ApiKey.DELETE_ACLS, as("alice"), deletion()))
                .filterResults()).singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        assertThat(((DescribeAclsResponseData) call(handlers, ApiKey.DESCRIBE_ACLS, as("alice"), everything()))
                .errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(forwarded.get()).as("nothing reaches the controller").isNull();

        CreateAclsRequestData request = creation();
        call(handlers, ApiKey.CREATE_ACLS, as("admin"), request);
        assertThat(forwarded.get()).isSameAs(request);
        DeleteAclsRequestData delete = deletion();
        call(handlers, ApiKey.DELETE_ACLS, as("admin"), delete);
        assertThat(forwarded.get()).isSameAs(delete);
    }

    @Test
    void describeAclsGroupsTheMatchingAclsByResourcePattern() {
        AclHandlers handlers = new AclHandlers(controller, cache,
                new StandardAuthorizer(() -> acls, Set.of("User:admin"), false));

        DescribeAclsResponseData all = (DescribeAclsResponseData) call(handlers, ApiKey.DESCRIBE_ACLS, as("admin"),
                everything());

        assertThat(all.errorCode()).isZero();
        assertThat(all.resources()).extracting(DescribeAclsResponseData.DescribeAclsResource::resourceName)
                .containsExactly("ord", "orders");
        assertThat(all.resources().get(1).acls()).extracting(DescribeAclsResponseData.AclDescription::principal)
                .containsExactly("User:alice", "User:bob");

        DescribeAclsResponseData matching = (DescribeAclsResponseData) call(handlers, ApiKey.DESCRIBE_ACLS,
                as("admin"), everything().setResourceTypeFilter((byte) 2).setResourceNameFilter("orders")
                        .setPatternTypeFilter(AclPatternType.MATCH.code()).setPrincipalFilter("User:alice"));
        assertThat(matching.resources()).hasSize(2);

        DescribeAclsResponseData unknown = (DescribeAclsResponseData) call(handlers, ApiKey.DESCRIBE_ACLS,
                as("admin"), everything().setOperation((byte) 0));
        assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }
}
