package io.fjord.metadata.acl;

import java.util.Optional;

/**
 * The operations an ACL allows or denies, with Kafka's codes (the {@code Operation} byte of CreateAcls, DescribeAcls,
 * DeleteAcls and of the metadata records; bit positions of the authorized-operations fields). {@link #ANY} only
 * filters; {@link #ALL} in an ACL covers every operation. Immutable.
 */
public enum AclOperation {
    UNKNOWN((byte) 0),
    ANY((byte) 1),
    ALL((byte) 2),
    READ((byte) 3),
    WRITE((byte) 4),
    CREATE((byte) 5),
    DELETE((byte) 6),
    ALTER((byte) 7),
    DESCRIBE((byte) 8),
    CLUSTER_ACTION((byte) 9),
    DESCRIBE_CONFIGS((byte) 10),
    ALTER_CONFIGS((byte) 11),
    IDEMPOTENT_WRITE((byte) 12),
    CREATE_TOKENS((byte) 13),
    DESCRIBE_TOKENS((byte) 14),
    TWO_PHASE_COMMIT((byte) 15);

    private final byte code;

    AclOperation(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** The operation of a wire code, empty for a code Kafka does not define. */
    public static Optional<AclOperation> fromCode(byte code) {
        for (AclOperation operation : values()) {
            if (operation.code == code) {
                return Optional.of(operation);
            }
        }
        return Optional.empty();
    }
}
