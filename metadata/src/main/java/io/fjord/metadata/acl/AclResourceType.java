package io.fjord.metadata.acl;

import java.util.Optional;

/**
 * The kinds of resource an ACL names, with Kafka's codes (the {@code ResourceType} byte of the ACL APIs and records).
 * {@link #ANY} only filters. Immutable.
 */
public enum AclResourceType {
    UNKNOWN((byte) 0),
    ANY((byte) 1),
    TOPIC((byte) 2),
    GROUP((byte) 3),
    CLUSTER((byte) 4),
    TRANSACTIONAL_ID((byte) 5),
    DELEGATION_TOKEN((byte) 6),
    USER((byte) 7);

    /** The one name a CLUSTER resource has. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    private final byte code;

    AclResourceType(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** The type of a wire code, empty for a code Kafka does not define. */
    public static Optional<AclResourceType> fromCode(byte code) {
        for (AclResourceType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
