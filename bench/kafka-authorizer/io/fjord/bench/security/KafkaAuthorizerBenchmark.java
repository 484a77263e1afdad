package io.fjord.bench.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.internals.Plugin;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.metadata.authorizer.StandardAcl;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Apache Kafka 4.4.0's own {@code StandardAuthorizer} over the same 10,000 ACLs ({@link BenchmarkAcls}, compiled in
 * from the bench module's source) and the same cases as {@code FjordAuthorizerBenchmark}: {@code User:user-7} from
 * 10.0.0.1 with an allowed literal check, a denied check, an allow through a prefixed ACL, and Metadata filtering of
 * 1,000 topic names, both as 1,000 one-action calls (Fjord's shape) and as the one call of 1,000 actions that
 * Kafka's Metadata handler makes ({@code AuthHelper.filterByAuthorized}). The ACLs are loaded as a broker loads them
 * from the metadata log ({@code loadSnapshot}, then {@code completeInitialLoad}); {@code super.users} is
 * {@code User:admin}, {@code allow.everyone.if.no.acl.found} false, as Fjord's run; it is wrapped as the broker wraps
 * it, so each decision records its metrics (Fjord's authorizer keeps none). Each action asks for the audit
 * log as Kafka's handlers do; the {@code kafka.authorizer.logger} is below its level here (the script runs log4j at
 * WARN), so the cost measured is the decision's, as Fjord's (which writes no audit log).
 *
 * <p>Built and run by {@code bench/kafka-authorizer-bench.sh}, outside Maven (see there why). Not thread-safe: JMH
 * gives each thread its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class KafkaAuthorizerBenchmark {
    private StandardAuthorizer authorizer;
    private AuthorizableRequestContext context;
    private List<Action> allowedLiteral;
    private List<Action> denied;
    private List<Action> allowedByPrefix;
    private List<List<Action>> metadataOneByOne;
    private List<Action> metadataBatch;

    /** The request context Kafka's handlers pass: a PLAINTEXT listener, a client at 10.0.0.1. */
    private record Context(KafkaPrincipal principal, InetAddress clientAddress) implements AuthorizableRequestContext {
        @Override
        public String listenerName() {
            return "PLAINTEXT";
        }

        @Override
        public SecurityProtocol securityProtocol() {
            return SecurityProtocol.PLAINTEXT;
        }

        @Override
        public int requestType() {
            return 3; // Metadata
        }

        @Override
        public int requestVersion() {
            return 12;
        }

        @Override
        public String clientId() {
            return "bench";
        }

        @Override
        public int correlationId() {
            return 1;
        }
    }

    @Setup
    public void setUp() throws UnknownHostException {
        authorizer = new StandardAuthorizer();
        authorizer.configure(Map.of(StandardAuthorizer.SUPER_USERS_CONFIG, "User:admin",
                StandardAuthorizer.ALLOW_EVERYONE_IF_NO_ACL_IS_FOUND_CONFIG, "false"));
        Map<Uuid, StandardAcl> acls = new HashMap<>();
        for (BenchmarkAcls.Spec spec : BenchmarkAcls.all()) {
            acls.put(Uuid.randomUuid(), new StandardAcl(ResourceType.valueOf(spec.resourceType()),
                    spec.resourceName(), PatternType.valueOf(spec.patternType()), spec.principal(), spec.host(),
                    AclOperation.valueOf(spec.operation()), AclPermissionType.valueOf(spec.permissionType())));
        }
        authorizer.loadSnapshot(acls);
        authorizer.completeInitialLoad();
        // As the broker makes it (AuthorizerUtils): wrapped as a plugin, which gives it its metrics, recorded on
        // every decision.
        Plugin.wrapInstance(authorizer, new Metrics(), "authorizer.class.name", "role", "broker");
        context = new Context(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "user-7"),
                InetAddress.getByName(BenchmarkAcls.CLIENT_HOST));
        allowedLiteral = List.of(topicAction(AclOperation.READ, "topic-7-3"));
        denied = List.of(topicAction(AclOperation.WRITE, "topic-8-3"));
        allowedByPrefix = List.of(topicAction(AclOperation.READ, "app-7-2-orders"));
        metadataOneByOne = new ArrayList<>();
        metadataBatch = new ArrayList<>();
        for (String topic : BenchmarkAcls.metadataTopicNames()) {
            Action action = topicAction(AclOperation.DESCRIBE, topic);
            metadataOneByOne.add(List.of(action));
            metadataBatch.add(action);
        }
        // The figures only mean something if each case answers as its name says.
        check(authorizer.aclCount() == BenchmarkAcls.PRINCIPALS * BenchmarkAcls.ACLS_PER_PRINCIPAL, "ACL count");
        check(allowedLiteral(), "allowed literal check");
        check(!denied(), "denied check");
        check(allowedByPrefix(), "prefixed check");
        check(metadataFiltering() == 20, "Metadata filtering, one action a call");
        check(metadataFilteringOneCall() == 20, "Metadata filtering, one call");
    }

    private static Action topicAction(AclOperation operation, String topic) {
        return new Action(operation, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), 1, true,
                true);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("unexpected answer: " + what);
        }
    }

    private boolean allowed(List<Action> actions) {
        return authorizer.authorize(context, actions).get(0) == AuthorizationResult.ALLOWED;
    }

    @Benchmark
    public boolean allowedLiteral() {
        return allowed(allowedLiteral);
    }

    @Benchmark
    public boolean denied() {
        return allowed(denied);
    }

    @Benchmark
    public boolean allowedByPrefix() {
        return allowed(allowedByPrefix);
    }

    /** Fjord's Metadata filter's shape: one DESCRIBE check (one call) per topic name. */
    @Benchmark
    public int metadataFiltering() {
        int allowed = 0;
        for (List<Action> action : metadataOneByOne) {
            if (allowed(action)) {
                allowed++;
            }
        }
        return allowed;
    }

    /** Kafka's Metadata handler's shape: one call with a DESCRIBE action per topic name. */
    @Benchmark
    public int metadataFilteringOneCall() {
        int allowed = 0;
        for (AuthorizationResult result : authorizer.authorize(context, metadataBatch)) {
            if (result == AuthorizationResult.ALLOWED) {
                allowed++;
            }
        }
        return allowed;
    }
}
