package io.fjord.broker.security.authorizer;

import static io.fjord.metadata.acl.AclOperation.ALL;
import static io.fjord.metadata.acl.AclOperation.ALTER;
import static io.fjord.metadata.acl.AclOperation.ALTER_CONFIGS;
import static io.fjord.metadata.acl.AclOperation.CREATE;
import static io.fjord.metadata.acl.AclOperation.DELETE;
import static io.fjord.metadata.acl.AclOperation.DESCRIBE;
import static io.fjord.metadata.acl.AclOperation.DESCRIBE_CONFIGS;
import static io.fjord.metadata.acl.AclOperation.READ;
import static io.fjord.metadata.acl.AclOperation.WRITE;
import static io.fjord.metadata.acl.AclPatternType.LITERAL;
import static io.fjord.metadata.acl.AclPatternType.PREFIXED;
import static io.fjord.metadata.acl.AclPermissionType.ALLOW;
import static io.fjord.metadata.acl.AclPermissionType.DENY;
import static io.fjord.metadata.acl.AclResourceType.GROUP;
import static io.fjord.metadata.acl.AclResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.acl.AclsImage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kafka's StandardAuthorizer rules, one case per row, over the ACL image the authorizer reads. */
class StandardAuthorizerTest {
    private static final String ALICE = "User:alice";
    private static final String HOST = "10.0.0.1";

    private static Acl acl(AclResourceType type, String name, AclPatternType pattern, String principal, String host,
                           AclOperation operation, AclPermissionType permission) {
        return new Acl(type, name, pattern, principal, host, operation, permission);
    }

    private static Acl topic(String name, AclPatternType pattern, AclOperation operation,
                             AclPermissionType permission) {
        return acl(TOPIC, name, pattern, ALICE, "*", operation, permission);
    }

    private static RequestContext context(String user, String host) {
        return new RequestContext(1, "PLAINTEXT", new InetSocketAddress(host, 9092), 0, Principal.user(user));
    }

    private static StandardAuthorizer authorizer(List<Acl> acls, Set<String> superUsers, boolean allowEveryone) {
        AclsImage image = AclsImage.EMPTY;
        for (Acl acl : acls) {
            image = image.with(UUID.randomUUID(), acl);
        }
        AclsImage published = image;
        return new StandardAuthorizer(() -> published, superUsers, allowEveryone);
    }

    /** ACLs, the operation on topic "orders" by alice from 10.0.0.1, and Kafka's answer. */
    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("no ACL: denied by default", List.of(), READ, false),
                Arguments.of("literal allow", List.of(topic("orders", LITERAL, READ, ALLOW)), READ, true),
                Arguments.of("literal allow of another topic", List.of(topic("payments", LITERAL, READ, ALLOW)),
                        READ, false),
                Arguments.of("allow of another operation", List.of(topic("orders", LITERAL, WRITE, ALLOW)), READ,
                        false),
                Arguments.of("wildcard allow", List.of(topic("*", LITERAL, READ, ALLOW)), READ, true),
                Arguments.of("prefixed allow", List.of(topic("ord", PREFIXED, READ, ALLOW)), READ, true),
                Arguments.of("prefixed allow of the whole name", List.of(topic("orders", PREFIXED, READ, ALLOW)),
                        READ, true),
                Arguments.of("prefixed allow longer than the name",
                        List.of(topic("orders-eu", PREFIXED, READ, ALLOW)), READ, false),
                Arguments.of("literal allow is not a prefix", List.of(topic("ord", LITERAL, READ, ALLOW)), READ,
                        false),
                Arguments.of("deny wins over allow", List.of(topic("orders", LITERAL, READ, ALLOW),
                        topic("orders", LITERAL, READ, DENY)), READ, false),
                Arguments.of("prefixed deny wins over literal allow", List.of(topic("orders", LITERAL, READ, ALLOW),
                        topic("or", PREFIXED, READ, DENY)), READ, false),
                Arguments.of("wildcard deny wins", List.of(topic("orders", LITERAL, ALL, ALLOW),
                        topic("*", LITERAL, ALL, DENY)), WRITE, false),
                Arguments.of("deny of another operation does not deny", List.of(topic("orders", LITERAL, ALL, ALLOW),
                        topic("orders", LITERAL, WRITE, DENY)), READ, true),
                Arguments.of("deny of READ does not deny DESCRIBE", List.of(topic("orders", LITERAL, DESCRIBE, ALLOW),
                        topic("orders", LITERAL, READ, DENY)), DESCRIBE, true),
                Arguments.of("ALL allows everything", List.of(topic("orders", LITERAL, ALL, ALLOW)), DELETE, true),
                Arguments.of("READ implies DESCRIBE", List.of(topic("orders", LITERAL, READ, ALLOW)), DESCRIBE, true),
                Arguments.of("WRITE implies DESCRIBE", List.of(topic("orders", LITERAL, WRITE, ALLOW)), DESCRIBE,
                        true),
                Arguments.of("DELETE implies DESCRIBE", List.of(topic("orders", LITERAL, DELETE, ALLOW)), DESCRIBE,
                        true),
                Arguments.of("ALTER implies DESCRIBE", List.of(topic("orders", LITERAL, ALTER, ALLOW)), DESCRIBE,
                        true),
                Arguments.of("CREATE does not imply DESCRIBE", List.of(topic("orders", LITERAL, CREATE, ALLOW)),
                        DESCRIBE, false),
                Arguments.of("DESCRIBE implies nothing else", List.of(topic("orders", LITERAL, DESCRIBE, ALLOW)),
                        READ, false),
                Arguments.of("ALTER_CONFIGS implies DESCRIBE_CONFIGS",
                        List.of(topic("orders", LITERAL, ALTER_CONFIGS, ALLOW)), DESCRIBE_CONFIGS, true),
                Arguments.of("ALTER_CONFIGS does not imply DESCRIBE",
                        List.of(topic("orders", LITERAL, ALTER_CONFIGS, ALLOW)), DESCRIBE, false),
                Arguments.of("User:* matches every principal", List.of(acl(TOPIC, "orders", LITERAL, "User:*", "*",
                        READ, ALLOW)), READ, true),
                Arguments.of("another principal's allow", List.of(acl(TOPIC, "orders", LITERAL, "User:bob", "*",
                        READ, ALLOW)), READ, false),
                Arguments.of("allow from the client's host", List.of(acl(TOPIC, "orders", LITERAL, ALICE, HOST,
                        READ, ALLOW)), READ, true),
                Arguments.of("allow from another host", List.of(acl(TOPIC, "orders", LITERAL, ALICE, "10.0.0.2",
                        READ, ALLOW)), READ, false),
                Arguments.of("deny from another host does not deny", List.of(topic("orders", LITERAL, READ, ALLOW),
                        acl(TOPIC, "orders", LITERAL, ALICE, "10.0.0.2", READ, DENY)), READ, true),
                Arguments.of("an ACL on a group is not one on a topic", List.of(acl(GROUP, "orders", LITERAL, ALICE,
                        "*", READ, ALLOW)), READ, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void kafkasRules(String rule, List<Acl> acls, AclOperation operation, boolean allowed) {
        assertThat(authorizer(acls, Set.of(), false).authorize(context("alice", HOST), operation, TOPIC, "orders"))
                .as(rule).isEqualTo(allowed);
    }

    @Test
    void superUsersAreAllowedWhateverTheAcls() {
        StandardAuthorizer authorizer = authorizer(List.of(topic("*", LITERAL, ALL, DENY)),
                StandardAuthorizer.parseSuperUsers(" User:admin ;User:alice;;"), false);

        assertThat(authorizer.authorize(context("alice", HOST), WRITE, TOPIC, "orders")).isTrue();
        assertThat(authorizer.authorize(context("admin", HOST), ALTER, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME)).isTrue();
        assertThat(authorizer.authorize(context("bob", HOST), READ, TOPIC, "orders")).isFalse();
        assertThat(authorizer.authorizeAnyResource(context("alice", HOST), WRITE, TOPIC)).isTrue();
    }

    @Test
    void everyoneIsAllowedOnAResourceWithoutAclsOnlyWhenConfigured() {
        List<Acl> acls = List.of(acl(TOPIC, "orders", LITERAL, "User:bob", "*", READ, ALLOW));
        StandardAuthorizer open = authorizer(acls, Set.of(), true);
        StandardAuthorizer closed = authorizer(acls, Set.of(), false);

        assertThat(open.authorize(context("alice", HOST), READ, TOPIC, "payments")).isTrue();
        assertThat(open.authorize(context("alice", HOST), READ, TOPIC, "orders")).as("orders has an ACL").isFalse();
        assertThat(closed.authorize(context("alice", HOST), READ, TOPIC, "payments")).isFalse();
    }

    @Test
    void checksReadTheNewestImage() {
        AtomicReference<AclsImage> image = new AtomicReference<>(AclsImage.EMPTY);
        StandardAuthorizer authorizer = new StandardAuthorizer(image::get, Set.of(), false);
        assertThat(authorizer.authorize(context("alice", HOST), READ, TOPIC, "orders")).isFalse();

        image.set(AclsImage.EMPTY.with(UUID.randomUUID(), topic("orders", LITERAL, READ, ALLOW)));

        assertThat(authorizer.authorize(context("alice", HOST), READ, TOPIC, "orders")).isTrue();
    }

    /** Kafka's authorizeByResourceType: an ALLOW on some name not wholly covered by a DENY. */
    static Stream<Arguments> byResourceType() {
        return Stream.of(
                Arguments.of("no ACL", List.of(), false),
                Arguments.of("literal allow", List.of(topic("orders", LITERAL, WRITE, ALLOW)), true),
                Arguments.of("allow of ALL", List.of(topic("orders", LITERAL, ALL, ALLOW)), true),
                Arguments.of("allow of another operation", List.of(topic("orders", LITERAL, READ, ALLOW)), false),
                Arguments.of("literal allow with the same literal deny", List.of(topic("orders", LITERAL, WRITE,
                        ALLOW), topic("orders", LITERAL, WRITE, DENY)), false),
                Arguments.of("literal allow under a prefixed deny", List.of(topic("orders", LITERAL, WRITE, ALLOW),
                        topic("ord", PREFIXED, WRITE, DENY)), false),
                Arguments.of("prefixed allow under a shorter prefixed deny", List.of(topic("orders", PREFIXED, WRITE,
                        ALLOW), topic("o", PREFIXED, WRITE, DENY)), false),
                Arguments.of("prefixed allow with a longer prefixed deny", List.of(topic("o", PREFIXED, WRITE,
                        ALLOW), topic("orders", PREFIXED, WRITE, DENY)), true),
                Arguments.of("prefixed allow with a literal deny of the same name", List.of(topic("orders",
                        PREFIXED, WRITE, ALLOW), topic("orders", LITERAL, WRITE, DENY)), true),
                Arguments.of("wildcard allow", List.of(topic("*", LITERAL, WRITE, ALLOW),
                        topic("o", PREFIXED, WRITE, DENY)), true),
                Arguments.of("wildcard deny", List.of(topic("orders", LITERAL, WRITE, ALLOW),
                        topic("*", LITERAL, WRITE, DENY)), false),
                Arguments.of("another principal's allow", List.of(acl(TOPIC, "orders", LITERAL, "User:bob", "*",
                        WRITE, ALLOW)), false),
                Arguments.of("another host's allow", List.of(acl(TOPIC, "orders", LITERAL, ALICE, "10.0.0.9",
                        WRITE, ALLOW)), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("byResourceType")
    void authorizeAnyResourceAsKafkasAuthorizeByResourceType(String rule, List<Acl> acls, boolean allowed) {
        assertThat(authorizer(acls, Set.of(), false).authorizeAnyResource(context("alice", HOST), WRITE, TOPIC))
                .as(rule).isEqualTo(allowed);
    }

    @Test
    void theConfigurationChoosesTheAuthorizer() {
        assertThat(Authorizers.fromConfig("", null, false, () -> AclsImage.EMPTY)).isSameAs(Authorizer.ALLOW_ALL);
        assertThat(Authorizers.fromConfig(null, null, false, () -> AclsImage.EMPTY)).isSameAs(Authorizer.ALLOW_ALL);
        Authorizer standard = Authorizers.fromConfig(StandardAuthorizer.KAFKA_CLASS_NAME, "User:admin", false,
                () -> AclsImage.EMPTY);
        assertThat(standard.enabled()).isTrue();
        assertThat(standard.authorize(context("admin", HOST), ALTER, AclResourceType.CLUSTER, "kafka-cluster"))
                .isTrue();
        assertThatThrownBy(() -> Authorizers.fromConfig("kafka.security.authorizer.AclAuthorizer", null, false,
                () -> AclsImage.EMPTY)).isInstanceOf(IllegalArgumentException.class);
    }
}
