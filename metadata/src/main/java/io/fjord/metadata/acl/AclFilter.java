package io.fjord.metadata.acl;

/**
 * A filter over ACLs, Kafka's {@code AclBindingFilter} as DescribeAcls and DeleteAcls carry it: {@code ANY} types and
 * null names, principals and hosts match everything; pattern type {@link AclPatternType#MATCH} with a name matches
 * the ACLs that would apply to a resource of that name (the literal name, the wildcard {@code *}, any prefix of it);
 * {@link AclPatternType#ANY} with a name matches ACLs of exactly that name whatever their pattern type. Immutable.
 */
public record AclFilter(AclResourceType resourceType, String resourceName, AclPatternType patternType,
                        String principal, String host, AclOperation operation, AclPermissionType permissionType) {
    /** The filter that matches every ACL. */
    public static final AclFilter ANY = new AclFilter(AclResourceType.ANY, null, AclPatternType.ANY, null, null,
            AclOperation.ANY, AclPermissionType.ANY);

    /** Whether an element is UNKNOWN (a code Kafka does not define, or UNKNOWN itself): such a filter is invalid. */
    public boolean isUnknown() {
        return resourceType == AclResourceType.UNKNOWN || patternType == AclPatternType.UNKNOWN
                || operation == AclOperation.UNKNOWN || permissionType == AclPermissionType.UNKNOWN;
    }

    public boolean matches(Acl acl) {
        return matchesPattern(acl) && matchesEntry(acl);
    }

    /** Kafka's {@code ResourcePatternFilter.matches}. */
    boolean matchesPattern(Acl acl) {
        if (resourceType != AclResourceType.ANY && resourceType != acl.resourceType()) {
            return false;
        }
        if (patternType != AclPatternType.ANY && patternType != AclPatternType.MATCH
                && patternType != acl.patternType()) {
            return false;
        }
        if (resourceName == null) {
            return true;
        }
        if (patternType == AclPatternType.ANY || patternType == acl.patternType()) {
            return resourceName.equals(acl.resourceName());
        }
        return switch (acl.patternType()) {
            case LITERAL -> resourceName.equals(acl.resourceName())
                    || acl.resourceName().equals(AclPatternType.WILDCARD_RESOURCE);
            case PREFIXED -> resourceName.startsWith(acl.resourceName());
            default -> false;
        };
    }

    /** Kafka's {@code AccessControlEntryFilter.matches}. */
    boolean matchesEntry(Acl acl) {
        return (principal == null || principal.equals(acl.principal()))
                && (host == null || host.equals(acl.host()))
                && (operation == AclOperation.ANY || operation == acl.operation())
                && (permissionType == AclPermissionType.ANY || permissionType == acl.permissionType());
    }
}
