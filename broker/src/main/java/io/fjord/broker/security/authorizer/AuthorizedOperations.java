package io.fjord.broker.security.authorizer;

import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import java.util.List;
import java.util.Map;

/**
 * The operations each resource type supports (Kafka's {@code AclEntry.supportedOperations}) and the encoding of the
 * authorized-operations fields of Metadata, DescribeCluster, DescribeTopicPartitions, DescribeGroups and
 * ConsumerGroupDescribe: bit {@code code} set for each allowed operation, {@link #NOT_REQUESTED} when the request did
 * not ask. Stateless; thread-safe.
 */
public final class AuthorizedOperations {
    /** The value of an authorized-operations field the request did not ask for (Kafka's {@code Int.MinValue}). */
    public static final int NOT_REQUESTED = Integer.MIN_VALUE;

    private static final Map<AclResourceType, List<AclOperation>> SUPPORTED = Map.of(
            AclResourceType.TOPIC, List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
                    AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS),
            AclResourceType.GROUP, List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            AclResourceType.CLUSTER, List.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE,
                    AclOperation.ALTER, AclOperation.DESCRIBE),
            AclResourceType.TRANSACTIONAL_ID, List.of(AclOperation.DESCRIBE, AclOperation.WRITE,
                    AclOperation.TWO_PHASE_COMMIT),
            AclResourceType.DELEGATION_TOKEN, List.of(AclOperation.DESCRIBE),
            AclResourceType.USER, List.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS));

    private AuthorizedOperations() {
    }

    /** The operations an ACL on a resource of {@code type} can allow; none for ANY and UNKNOWN. */
    public static List<AclOperation> supported(AclResourceType type) {
        return SUPPORTED.getOrDefault(type, List.of());
    }

    /** The field's value for these operations: bit {@code operation.code()} set for each. */
    public static int bitfield(Iterable<AclOperation> operations) {
        int bits = 0;
        for (AclOperation operation : operations) {
            bits |= 1 << operation.code();
        }
        return bits;
    }
}
