package io.fjord.broker.security.authorizer;

import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.acl.AclsImage;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Kafka's StandardAuthorizer semantics over the ACLs of the node's newest metadata image: a super user may do
 * anything; otherwise the ACLs that apply to the resource (its literal name, the wildcard {@code *}, every stored
 * prefix of it: {@link AclsImage#applyingTo}) whose principal is the request's or {@code User:*} and whose host is the
 * client's address or {@code *} decide. A matching DENY of the operation (or of ALL) wins; an ALLOW of the operation,
 * of ALL, or of an operation that implies it (READ, WRITE, DELETE or ALTER imply DESCRIBE; ALTER_CONFIGS implies
 * DESCRIBE_CONFIGS) allows; when no ACL applies to the resource at all, {@code allow.everyone.if.no.acl.found}
 * decides. A check costs the ACLs that apply to the resource, not all ACLs.
 *
 * <p>Thread-safe: immutable settings and an image supplier that returns immutable images.
 */
public final class StandardAuthorizer implements Authorizer {
    /** The {@code authorizer.class.name} that enables it: Kafka's own authorizer's name. */
    public static final String KAFKA_CLASS_NAME = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    /** The resource name Kafka's by-resource-type check tries first, so super users and the no-ACL rule apply. */
    private static final String PROBE_RESOURCE_NAME = "hardcode";

    private final Supplier<AclsImage> acls;
    private final Set<String> superUsers;
    private final boolean allowEveryoneIfNoAclFound;

    /**
     * @param acls       the ACLs of the node's newest image, read once per check
     * @param superUsers principals as {@code Type:name} that are always allowed
     */
    public StandardAuthorizer(Supplier<AclsImage> acls, Set<String> superUsers, boolean allowEveryoneIfNoAclFound) {
        this.acls = acls;
        this.superUsers = Set.copyOf(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
    }

    /** Kafka's {@code super.users}: principals separated by semicolons; blanks ignored. */
    public static Set<String> parseSuperUsers(String value) {
        Set<String> users = new HashSet<>();
        if (value != null) {
            for (String user : value.split(";")) {
                if (!user.isBlank()) {
                    users.add(user.trim());
                }
            }
        }
        return users;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean authorize(RequestContext context, AclOperation operation, AclResourceType resourceType,
                             String resourceName) {
        String principal = context.principal().toString();
        if (superUsers.contains(principal)) {
            return true;
        }
        String host = host(context.clientAddress());
        List<Acl> applying = acls.get().applyingTo(resourceType, resourceName);
        boolean allowed = false;
        for (Acl acl : applying) {
            if (!matchesPrincipalAndHost(acl, principal, host)) {
                continue;
            }
            if (acl.permissionType() == AclPermissionType.DENY) {
                if (acl.operation() == AclOperation.ALL || acl.operation() == operation) {
                    return false;
                }
            } else if (acl.permissionType() == AclPermissionType.ALLOW && allows(acl.operation(), operation)) {
                allowed = true;
            }
        }
        return allowed || (applying.isEmpty() && allowEveryoneIfNoAclFound);
    }

    /**
     * Kafka's {@code authorizeByResourceType}: allowed when a resource of the type named {@code hardcode} would be
     * (super users, the no-ACL rule), when an ALLOW of the operation (or ALL) for the principal and host names the
     * wildcard, or a literal name or prefix that no DENY of the same literal name or of a prefix of it covers; a DENY
     * on the wildcard refuses. Costs the ACLs of the type.
     */
    @Override
    public boolean authorizeAnyResource(RequestContext context, AclOperation operation,
                                        AclResourceType resourceType) {
        if (authorize(context, operation, resourceType, PROBE_RESOURCE_NAME)) {
            return true;
        }
        String principal = context.principal().toString();
        String host = host(context.clientAddress());
        Set<String> deniedLiterals = new HashSet<>();
        Set<String> deniedPrefixes = new HashSet<>();
        Set<String> allowedLiterals = new HashSet<>();
        Set<String> allowedPrefixes = new HashSet<>();
        boolean wildcardAllowed = false;
        for (Acl acl : acls.get().ofType(resourceType)) {
            if (!matchesPrincipalAndHost(acl, principal, host)
                    || (acl.operation() != operation && acl.operation() != AclOperation.ALL)) {
                continue;
            }
            boolean literal = acl.patternType() == AclPatternType.LITERAL;
            if (acl.permissionType() == AclPermissionType.DENY) {
                if (literal && acl.resourceName().equals(AclPatternType.WILDCARD_RESOURCE)) {
                    return false;
                }
                (literal ? deniedLiterals : deniedPrefixes).add(acl.resourceName());
            } else if (acl.permissionType() == AclPermissionType.ALLOW) {
                if (literal && acl.resourceName().equals(AclPatternType.WILDCARD_RESOURCE)) {
                    wildcardAllowed = true;
                } else {
                    (literal ? allowedLiterals : allowedPrefixes).add(acl.resourceName());
                }
            }
        }
        if (wildcardAllowed) {
            return true;
        }
        for (String name : allowedLiterals) {
            if (!deniedLiterals.contains(name) && !deniedByPrefix(name, deniedPrefixes)) {
                return true;
            }
        }
        for (String prefix : allowedPrefixes) {
            if (!deniedByPrefix(prefix, deniedPrefixes)) {
                return true;
            }
        }
        return false;
    }

    private static boolean deniedByPrefix(String name, Set<String> deniedPrefixes) {
        for (int length = 1; length <= name.length(); length++) {
            if (deniedPrefixes.contains(name.substring(0, length))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesPrincipalAndHost(Acl acl, String principal, String host) {
        return (acl.principal().equals(principal) || acl.principal().equals(Acl.WILDCARD_PRINCIPAL))
                && (acl.host().equals(host) || acl.host().equals(Acl.WILDCARD_HOST));
    }

    /** Whether an ALLOW of {@code granted} allows {@code requested}, with Kafka's implications. */
    static boolean allows(AclOperation granted, AclOperation requested) {
        if (granted == AclOperation.ALL || granted == requested) {
            return true;
        }
        return switch (requested) {
            case DESCRIBE -> granted == AclOperation.READ || granted == AclOperation.WRITE
                    || granted == AclOperation.DELETE || granted == AclOperation.ALTER;
            case DESCRIBE_CONFIGS -> granted == AclOperation.ALTER_CONFIGS;
            default -> false;
        };
    }

    /** The client's IP address as ACL hosts name it; an address that is not IP matches only {@code *}. */
    private static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return "";
    }
}
