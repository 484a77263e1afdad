package io.fjord.broker.security.authorizer;

import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the request handlers ask the {@link Authorizer}, Kafka's {@code AuthHelper}: one check, a filter of many names
 * (each name asked once), the cluster, and the authorized-operations bitfields. Denials are logged through the
 * {@link DenialLog} (at most a line per principal, operation and resource a minute), except where Kafka asks without
 * logging ({@link #authorizeQuietly}: a first choice that has a fallback, such as CREATE on the cluster before CREATE on
 * the topic).
 *
 * <p>Thread-safe: the authorizer and the log are.
 */
public final class RequestAuthorization {
    private final Authorizer authorizer;
    private final DenialLog denials;

    public RequestAuthorization(Authorizer authorizer, DenialLog denials) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.denials = Objects.requireNonNull(denials, "denials");
    }

    /** Checks through {@code authorizer}, logging denials with the default rate limit. */
    public static RequestAuthorization of(Authorizer authorizer) {
        return new RequestAuthorization(authorizer, DenialLog.withDefaults());
    }

    /** Whether an authorizer is configured. */
    public boolean enabled() {
        return authorizer.enabled();
    }

    /** Whether the principal may; a denial is logged. */
    public boolean authorize(RequestContext context, AclOperation operation, AclResourceType resourceType,
                             String resourceName) {
        boolean allowed = authorizer.authorize(context, operation, resourceType, resourceName);
        if (!allowed) {
            denials.denied(context, operation, resourceType, resourceName);
        }
        return allowed;
    }

    /** Whether the principal may, without logging a denial (Kafka's {@code logIfDenied = false}). */
    public boolean authorizeQuietly(RequestContext context, AclOperation operation, AclResourceType resourceType,
                                    String resourceName) {
        return authorizer.authorize(context, operation, resourceType, resourceName);
    }

    /** Whether the principal may perform {@code operation} on the cluster; a denial is logged. */
    public boolean authorizeCluster(RequestContext context, AclOperation operation) {
        return authorize(context, operation, AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME);
    }

    /** Whether the principal may perform {@code operation} on at least one resource of the type. */
    public boolean authorizeAnyResource(RequestContext context, AclOperation operation, AclResourceType type) {
        return authorizer.authorizeAnyResource(context, operation, type);
    }

    /** The names of {@code names} the principal may not perform {@code operation} on, each asked once. */
    public Set<String> denied(RequestContext context, AclOperation operation, AclResourceType resourceType,
                              Collection<String> names) {
        Map<String, Boolean> decided = new HashMap<>();
        Set<String> denied = new LinkedHashSet<>();
        for (String name : names) {
            if (name != null && !decided.computeIfAbsent(name,
                    key -> authorize(context, operation, resourceType, key))) {
                denied.add(name);
            }
        }
        return denied;
    }

    /**
     * The authorized-operations bitfield of a resource: each operation its type supports that the principal may
     * perform (every one without an authorizer, as Kafka answers). Asked without logging denials.
     */
    public int authorizedOperations(RequestContext context, AclResourceType resourceType, String resourceName) {
        List<AclOperation> allowed = new ArrayList<>();
        for (AclOperation operation : AuthorizedOperations.supported(resourceType)) {
            if (authorizer.authorize(context, operation, resourceType, resourceName)) {
                allowed.add(operation);
            }
        }
        return AuthorizedOperations.bitfield(allowed);
    }
}
