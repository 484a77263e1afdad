package io.fjord.broker.security.authorizer;

import io.fjord.metadata.acl.AclsImage;
import java.util.function.Supplier;

/**
 * The node's authorizer from Kafka's settings: {@code authorizer.class.name} empty (Kafka's default) gives
 * {@link Authorizer#ALLOW_ALL}; Kafka's StandardAuthorizer class name gives Fjord's {@link StandardAuthorizer} with
 * {@code super.users} and {@code allow.everyone.if.no.acl.found}. Stateless; thread-safe.
 */
public final class Authorizers {
    private Authorizers() {
    }

    /**
     * @throws IllegalArgumentException for any other class name (start-up validation refuses it before this)
     */
    public static Authorizer fromConfig(String className, String superUsers, boolean allowEveryoneIfNoAclFound,
                                        Supplier<AclsImage> acls) {
        if (className == null || className.isBlank()) {
            return Authorizer.ALLOW_ALL;
        }
        if (!className.trim().equals(StandardAuthorizer.KAFKA_CLASS_NAME)) {
            throw new IllegalArgumentException("authorizer.class.name " + className + " is not supported; only "
                    + StandardAuthorizer.KAFKA_CLASS_NAME);
        }
        return new StandardAuthorizer(acls, StandardAuthorizer.parseSuperUsers(superUsers),
                allowEveryoneIfNoAclFound);
    }
}
