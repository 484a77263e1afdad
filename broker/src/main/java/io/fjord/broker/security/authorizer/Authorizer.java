package io.fjord.broker.security.authorizer;

import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;

/**
 * Decides whether a request's principal, connected from its client's host, may perform an operation on a resource:
 * the seam between the request handlers (which check what Kafka checks, with Kafka's error codes) and the ACLs
 * (Kafka's StandardAuthorizer semantics, enabled by {@code authorizer.class.name}). Without an authorizer configured
 * every request is allowed ({@link #ALLOW_ALL}), as in Kafka.
 *
 * <p>Implementations are thread-safe: handlers call them from every request thread.
 */
public interface Authorizer {
    /** No authorizer configured: everything is allowed and no authorized-operations are computed. */
    Authorizer ALLOW_ALL = new Authorizer() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean authorize(RequestContext context, AclOperation operation, AclResourceType resourceType,
                                 String resourceName) {
            return true;
        }

        @Override
        public boolean authorizeAnyResource(RequestContext context, AclOperation operation,
                                            AclResourceType resourceType) {
            return true;
        }
    };

    /** Whether an authorizer is configured (Kafka leaves authorized-operations fields at their default without one). */
    boolean enabled();

    /**
     * Whether {@code context}'s principal, from its client's host, may perform {@code operation} on the resource
     * {@code resourceType}/{@code resourceName} (for the cluster, {@code AclResourceType.CLUSTER_NAME}).
     */
    boolean authorize(RequestContext context, AclOperation operation, AclResourceType resourceType,
                      String resourceName);

    /**
     * Whether the principal may perform {@code operation} on at least one resource of the type (Kafka's
     * {@code authorizeByResourceType}: an ALLOW on any literal or prefixed name not wholly covered by a DENY), used
     * where Kafka accepts "WRITE on any topic" in place of IDEMPOTENT_WRITE on the cluster.
     */
    boolean authorizeAnyResource(RequestContext context, AclOperation operation, AclResourceType resourceType);
}
