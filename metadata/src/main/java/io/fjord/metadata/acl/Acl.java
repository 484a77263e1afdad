package io.fjord.metadata.acl;

import java.util.Objects;

/**
 * One access control entry bound to a resource pattern, Kafka's {@code AclBinding} (and {@code StandardAcl}): who
 * ({@code principal} as {@code Type:name}, {@code User:*} for everyone) from where ({@code host}, {@code *} for
 * anywhere) is allowed or denied which operation on the resources of a type whose names match a literal name (or
 * {@code *}) or a prefix. Immutable.
 */
public record Acl(AclResourceType resourceType, String resourceName, AclPatternType patternType, String principal,
                  String host, AclOperation operation, AclPermissionType permissionType) {
    /** The principal that matches every principal. */
    public static final String WILDCARD_PRINCIPAL = "User:*";
    /** The host that matches every host. */
    public static final String WILDCARD_HOST = "*";

    public Acl {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permissionType, "permissionType");
    }
}
