package io.fjord.metadata.acl;

import java.util.Optional;

/**
 * How an ACL's resource name matches, with Kafka's codes: {@link #LITERAL} (the name, or {@code *} for every
 * resource of the type) and {@link #PREFIXED} in ACLs; {@link #ANY} and {@link #MATCH} only in filters. Immutable.
 */
public enum AclPatternType {
    UNKNOWN((byte) 0),
    ANY((byte) 1),
    MATCH((byte) 2),
    LITERAL((byte) 3),
    PREFIXED((byte) 4);

    /** The literal name that matches every resource of its type. */
    public static final String WILDCARD_RESOURCE = "*";

    private final byte code;

    AclPatternType(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** The pattern type of a wire code, empty for a code Kafka does not define. */
    public static Optional<AclPatternType> fromCode(byte code) {
        for (AclPatternType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
