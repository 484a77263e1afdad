package io.fjord.broker.security.authorizer;

import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An authorizer for tests: allows exactly the (principal, operation, resource type, name) grants given, and counts
 * the checks. Thread-safe.
 */
public final class TestAuthorizer implements Authorizer {
    private record Grant(String principal, AclOperation operation, AclResourceType type, String name) {
    }

    private final Set<Grant> grants = ConcurrentHashMap.newKeySet();

    /** Allows {@code principal} (as {@code User:name}) the operation on the resource. */
    public TestAuthorizer allow(String principal, AclOperation operation, AclResourceType type, String name) {
        grants.add(new Grant(principal, operation, type, name));
        return this;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean authorize(RequestContext context, AclOperation operation, AclResourceType resourceType,
                             String resourceName) {
        return grants.contains(new Grant(context.principal().toString(), operation, resourceType, resourceName));
    }

    @Override
    public boolean authorizeAnyResource(RequestContext context, AclOperation operation,
                                        AclResourceType resourceType) {
        return grants.stream().anyMatch(grant -> grant.principal().equals(context.principal().toString())
                && grant.operation() == operation && grant.type() == resourceType);
    }
}
