package io.fjord.metadata.acl;

import java.util.Optional;

/**
 * Whether an ACL allows or denies, with Kafka's codes; {@link #ANY} only filters. A matching DENY wins over any ALLOW.
 * Immutable.
 */
public enum AclPermissionType {
    UNKNOWN((byte) 0),
    ANY((byte) 1),
    DENY((byte) 2),
    ALLOW((byte) 3);

    private final byte code;

    AclPermissionType(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** The permission type of a wire code, empty for a code Kafka does not define. */
    public static Optional<AclPermissionType> fromCode(byte code) {
        for (AclPermissionType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
