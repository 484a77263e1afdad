package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACLs with Kafka's Admin API and Kafka's own kafka-acls tool: a cluster with the StandardAuthorizer, SASL PLAIN
 * users {@code admin} (a super user), {@code alice} and {@code broker} (the inter-broker user, a super user as Kafka's
 * operators make it). ACLs created through one node reach every node's image, are described and deleted with
 * Kafka's filters, survive a restart of the whole cluster, and only a principal allowed ALTER on the cluster may
 * manage them. Time bounds are liveness bounds for a busy machine.
 */
class AclsIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String ACL_COMMAND = "org.apache.kafka.tools.AclCommand";

    @TempDir
    Path data;

    private static Admin admin(FjordTestCluster cluster, int nodeId, String user) {
        Properties config = PlainAuthorizerSettings.client(user);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, saslAddress(cluster, nodeId));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(config);
    }

    private static String saslAddress(FjordTestCluster cluster, int nodeId) {
        return "127.0.0.1:" + cluster.node(nodeId).boundAddress("SASL").getPort();
    }

    private static AclBinding binding(ResourceType type, String name, PatternType pattern, String principal,
                                      AclOperation operation, AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, permission));
    }

    private static final AclBinding READ_ORDERS = binding(ResourceType.TOPIC, "orders", PatternType.LITERAL,
            "User:alice", AclOperation.READ, AclPermissionType.ALLOW);
    private static final AclBinding WRITE_PAYMENTS = binding(ResourceType.TOPIC, "pay", PatternType.PREFIXED,
            "User:alice", AclOperation.WRITE, AclPermissionType.ALLOW);
    private static final AclBinding DENY_EVERY_GROUP = binding(ResourceType.GROUP, "*", PatternType.LITERAL,
            "User:bob", AclOperation.ALL, AclPermissionType.DENY);

    private static Collection<AclBinding> describe(Admin admin, AclBindingFilter filter) throws Exception {
        return admin.describeAcls(filter).values().get(60, TimeUnit.SECONDS);
    }

    @Test
    void aclsAreManagedWithFiltersReachEveryNodeAndSurviveARestart() throws Exception {
        FjordTestCluster cluster = FjordTestCluster.start(data, 3, PlainAuthorizerSettings.node("alice"));
        try {
            cluster.awaitOneController(BOUND);
            try (Admin admin = admin(cluster, 1, "admin")) {
                admin.createAcls(List.of(READ_ORDERS, WRITE_PAYMENTS, DENY_EVERY_GROUP)).all()
                        .get(60, TimeUnit.SECONDS);
                // Creating an ACL that exists succeeds and adds nothing, as in Kafka.
                admin.createAcls(List.of(READ_ORDERS)).all().get(60, TimeUnit.SECONDS);
            }
            for (int nodeId = 1; nodeId <= 3; nodeId++) {
                try (Admin admin = admin(cluster, nodeId, "admin")) {
                    await().atMost(BOUND).until(() -> describe(admin, AclBindingFilter.ANY).size() == 3);
                    assertThat(describe(admin, AclBindingFilter.ANY))
                            .containsExactlyInAnyOrder(READ_ORDERS, WRITE_PAYMENTS, DENY_EVERY_GROUP);
                }
            }
            try (Admin admin = admin(cluster, 2, "admin")) {
                // MATCH: the ACLs that apply to the topic "payments" (the prefix "pay").
                assertThat(describe(admin, new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC,
                        "payments", PatternType.MATCH), AccessControlEntryFilter.ANY))).containsExactly(WRITE_PAYMENTS);
                assertThat(describe(admin, new AclBindingFilter(ResourcePatternFilter.ANY,
                        new AccessControlEntryFilter("User:alice", null, AclOperation.ANY, AclPermissionType.ANY))))
                        .containsExactlyInAnyOrder(READ_ORDERS, WRITE_PAYMENTS);
                Collection<AclBinding> deleted = admin.deleteAcls(List.of(new AclBindingFilter(
                        new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.ANY),
                        new AccessControlEntryFilter("User:alice", null, AclOperation.READ,
                                AclPermissionType.ANY)))).all().get(60, TimeUnit.SECONDS);
                assertThat(deleted).containsExactly(READ_ORDERS);
            }
            try (Admin admin = admin(cluster, 3, "admin")) {
                await().atMost(BOUND).until(() -> describe(admin, AclBindingFilter.ANY).size() == 2);
            }

            cluster.close();
            cluster.startNodes(List.of(1, 2, 3));
            cluster.awaitOneController(BOUND);
            for (int nodeId = 1; nodeId <= 3; nodeId++) {
                try (Admin admin = admin(cluster, nodeId, "admin")) {
                    assertThat(describe(admin, AclBindingFilter.ANY)).as("node %d after the restart", nodeId)
                            .containsExactlyInAnyOrder(WRITE_PAYMENTS, DENY_EVERY_GROUP);
                }
            }
        } finally {
            cluster.close();
        }
    }

    @Test
    void onlyAPrincipalAllowedToAlterTheClusterManagesAcls() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, PlainAuthorizerSettings.node("alice"));
             Admin admin = admin(cluster, 1, "admin");
             Admin alice = admin(cluster, 1, "alice")) {
            assertThatThrownBy(() -> alice.createAcls(List.of(READ_ORDERS)).all().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.deleteAcls(List.of(AclBindingFilter.ANY)).all().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(ClusterAuthorizationException.class);
            assertThat(describe(admin, AclBindingFilter.ANY)).isEmpty();

            // An ACL makes alice an ACL manager: ALTER on the cluster (which implies DESCRIBE).
            admin.createAcls(List.of(binding(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL,
                    "User:alice", AclOperation.ALTER, AclPermissionType.ALLOW))).all().get(60, TimeUnit.SECONDS);
            alice.createAcls(List.of(READ_ORDERS)).all().get(60, TimeUnit.SECONDS);
            assertThat(describe(alice, AclBindingFilter.ANY)).hasSize(2).contains(READ_ORDERS);
        }
    }

    @Test
    void kafkaAclsAddsListsAndRemovesAnAcl() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, PlainAuthorizerSettings.node("alice"))) {
            Path commandConfig = data.resolve("admin.properties");
            StringBuilder text = new StringBuilder();
            PlainAuthorizerSettings.client("admin").forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
            Files.writeString(commandConfig, text);
            List<String> connection = List.of("--bootstrap-server", saslAddress(cluster, 1), "--command-config",
                    commandConfig.toString());

            KafkaDistribution.Result added = acls(connection, "--add", "--allow-principal", "User:alice",
                    "--operation", "Read", "--topic", "orders", "--resource-pattern-type", "prefixed");
            assertThat(added.exitCode()).as("add; errors: %s", added.errors()).isZero();
            assertThat(added.output()).contains("resourceType=TOPIC, name=orders, patternType=PREFIXED")
                    .contains("principal=User:alice, host=*, operation=READ, permissionType=ALLOW");

            KafkaDistribution.Result listed = acls(connection, "--list", "--topic", "orders",
                    "--resource-pattern-type", "match");
            assertThat(listed.exitCode()).as("list; errors: %s", listed.errors()).isZero();
            assertThat(listed.output()).contains("Current ACLs for resource `ResourcePattern(resourceType=TOPIC, "
                    + "name=orders, patternType=PREFIXED)`").contains("principal=User:alice, host=*, operation=READ");

            KafkaDistribution.Result removed = acls(connection, "--remove", "--force", "--allow-principal",
                    "User:alice", "--operation", "Read", "--topic", "orders", "--resource-pattern-type", "prefixed");
            assertThat(removed.exitCode()).as("remove; errors: %s", removed.errors()).isZero();
            KafkaDistribution.Result empty = acls(connection, "--list");
            assertThat(empty.output()).doesNotContain("User:alice");
        }
    }

    private static KafkaDistribution.Result acls(List<String> connection, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(connection);
        command.addAll(List.of(arguments));
        return KafkaDistribution.run(ACL_COMMAND, command);
    }
}
