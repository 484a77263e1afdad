package io.fjord.metadata.records;

import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import java.util.UUID;

/**
 * An ACL is created under a new id. Kafka's AccessControlEntryRecord (type 18), its fields in Kafka's order with the
 * ACL enums' wire codes. Immutable.
 */
public record AccessControlEntryRecord(UUID id, byte resourceType, String resourceName, byte patternType,
                                       String principal, String host, byte operation, byte permissionType)
        implements MetadataRecord {
    public static final short TYPE_ID = 18;

    public static AccessControlEntryRecord of(UUID id, Acl acl) {
        return new AccessControlEntryRecord(id, acl.resourceType().code(), acl.resourceName(),
                acl.patternType().code(), acl.principal(), acl.host(), acl.operation().code(),
                acl.permissionType().code());
    }

    /**
     * The ACL this record creates.
     *
     * @throws IllegalStateException if a code is not one of Kafka's (the metadata log is damaged)
     */
    public Acl acl() {
        return new Acl(AclResourceType.fromCode(resourceType).orElseThrow(() -> unknown("resource type", resourceType)),
                resourceName, AclPatternType.fromCode(patternType).orElseThrow(() -> unknown("pattern type",
                        patternType)), principal, host,
                AclOperation.fromCode(operation).orElseThrow(() -> unknown("operation", operation)),
                AclPermissionType.fromCode(permissionType).orElseThrow(() -> unknown("permission type",
                        permissionType)));
    }

    private IllegalStateException unknown(String what, byte code) {
        return new IllegalStateException("ACL " + id + " has an unknown " + what + " code " + code);
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
