package io.fjord.metadata.acl;

/**
 * The ACL enums of wire codes, UNKNOWN for a code Kafka does not define (as Kafka's {@code fromCode} does), so a
 * request with one is answered INVALID_REQUEST rather than failing. Stateless; thread-safe.
 */
public final class AclCodes {
    private AclCodes() {
    }

    public static AclResourceType resourceType(byte code) {
        return AclResourceType.fromCode(code).orElse(AclResourceType.UNKNOWN);
    }

    public static AclPatternType patternType(byte code) {
        return AclPatternType.fromCode(code).orElse(AclPatternType.UNKNOWN);
    }

    public static AclOperation operation(byte code) {
        return AclOperation.fromCode(code).orElse(AclOperation.UNKNOWN);
    }

    public static AclPermissionType permissionType(byte code) {
        return AclPermissionType.fromCode(code).orElse(AclPermissionType.UNKNOWN);
    }
}
