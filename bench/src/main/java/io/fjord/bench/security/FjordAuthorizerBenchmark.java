package io.fjord.bench.security;

import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.StandardAuthorizer;
import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.acl.AclsImage;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * Fjord's {@link StandardAuthorizer} over an ACL image of the 10,000 ACLs of {@link BenchmarkAcls}, built as the
 * authorizer's tests build it (one {@link AclsImage#with} per ACL), for {@code User:user-7} from 10.0.0.1: an allowed
 * literal check, a denied check (another user's topic), an allow through a prefixed ACL, and the Metadata handler's
 * filtering of 1,000 topic names (one DESCRIBE check per name; 20 are allowed). Scores are nanoseconds per operation
 * (per 1,000 names for the filtering). One thread.
 *
 * <p>Not thread-safe: JMH gives each thread its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class FjordAuthorizerBenchmark {
    private StandardAuthorizer authorizer;
    private RequestContext context;
    private String[] metadataTopics;

    @Setup
    public void setUp() {
        AclsImage image = AclsImage.EMPTY;
        for (BenchmarkAcls.Spec spec : BenchmarkAcls.all()) {
            image = image.with(UUID.randomUUID(), new Acl(AclResourceType.valueOf(spec.resourceType()),
                    spec.resourceName(), AclPatternType.valueOf(spec.patternType()), spec.principal(), spec.host(),
                    AclOperation.valueOf(spec.operation()), AclPermissionType.valueOf(spec.permissionType())));
        }
        AclsImage published = image;
        authorizer = new StandardAuthorizer(() -> published, Set.of("User:admin"), false);
        context = new RequestContext(1, "PLAINTEXT", new InetSocketAddress(BenchmarkAcls.CLIENT_HOST, 50_000), 0,
                Principal.user("user-7"));
        metadataTopics = BenchmarkAcls.metadataTopicNames();
        // The figures only mean something if each case answers as its name says.
        check(published.size() == BenchmarkAcls.PRINCIPALS * BenchmarkAcls.ACLS_PER_PRINCIPAL, "ACL count");
        check(allowedLiteral(), "allowed literal check");
        check(!denied(), "denied check");
        check(allowedByPrefix(), "prefixed check");
        check(metadataFiltering() == 20, "Metadata filtering");
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("unexpected answer: " + what);
        }
    }

    @Benchmark
    public boolean allowedLiteral() {
        return authorizer.authorize(context, AclOperation.READ, AclResourceType.TOPIC, "topic-7-3");
    }

    @Benchmark
    public boolean denied() {
        return authorizer.authorize(context, AclOperation.WRITE, AclResourceType.TOPIC, "topic-8-3");
    }

    @Benchmark
    public boolean allowedByPrefix() {
        return authorizer.authorize(context, AclOperation.READ, AclResourceType.TOPIC, "app-7-2-orders");
    }

    /** The Metadata handler's filter: one DESCRIBE check per topic name. */
    @Benchmark
    public int metadataFiltering() {
        int allowed = 0;
        for (String topic : metadataTopics) {
            if (authorizer.authorize(context, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic)) {
                allowed++;
            }
        }
        return allowed;
    }
}
