package io.fjord.bench.security;

import java.util.ArrayList;
import java.util.List;

/**
 * The ACL set both authorizer benchmarks load: {@link #PRINCIPALS} users with {@link #ACLS_PER_PRINCIPAL} ACLs each
 * (10,000 in all), a mix of literal, prefixed and wildcard topic and group ACLs, allows and denies, as a cluster with
 * one set of ACLs per application would have. Per user {@code user-<u>}:
 * <ul>
 *   <li>20 literal topic ALLOW READ on {@code topic-<u>-<t>} (t below 20), 10 literal topic ALLOW WRITE on the first
 *       10 of them, one literal topic DENY WRITE on {@code topic-<u>-0} from host 10.0.0.9;</li>
 *   <li>5 prefixed topic ALLOW READ on {@code app-<u>-<p>-} and 2 prefixed topic DENY ALTER on {@code app-<u>-}
 *       (any host, and 10.0.0.9);</li>
 *   <li>10 literal group ALLOW READ on {@code group-<u>-<g>}, 1 prefixed group ALLOW READ on {@code group-<u>-};</li>
 *   <li>one wildcard ACL: topic {@code *} ALLOW DESCRIBE_CONFIGS (only for every 20th user, 10 in all: every topic
 *       check sees them), for the others a literal topic ALLOW CREATE on {@code topic-<u>-new}.</li>
 * </ul>
 *
 * <p>Immutable; thread-safe.
 */
final class BenchmarkAcls {
    static final int PRINCIPALS = 200;
    static final int ACLS_PER_PRINCIPAL = 50;
    /** The number of topic names the Metadata-style filter checks. */
    static final int METADATA_TOPIC_COUNT = 1_000;
    static final String CLIENT_HOST = "10.0.0.1";

    /** One ACL, in the terms both authorizers share (Kafka's names of the enums' constants). */
    record Spec(String resourceType, String resourceName, String patternType, String principal, String host,
                String operation, String permissionType) {
    }

    private BenchmarkAcls() {
    }

    static String principal(int user) {
        return "User:user-" + user;
    }

    static List<Spec> all() {
        List<Spec> specs = new ArrayList<>(PRINCIPALS * ACLS_PER_PRINCIPAL);
        for (int user = 0; user < PRINCIPALS; user++) {
            String principal = principal(user);
            for (int topic = 0; topic < 20; topic++) {
                specs.add(new Spec("TOPIC", "topic-" + user + "-" + topic, "LITERAL", principal, "*", "READ", "ALLOW"));
            }
            for (int topic = 0; topic < 10; topic++) {
                specs.add(new Spec("TOPIC", "topic-" + user + "-" + topic, "LITERAL", principal, "*", "WRITE",
                        "ALLOW"));
            }
            specs.add(new Spec("TOPIC", "topic-" + user + "-0", "LITERAL", principal, "10.0.0.9", "WRITE", "DENY"));
            for (int prefix = 0; prefix < 5; prefix++) {
                specs.add(new Spec("TOPIC", "app-" + user + "-" + prefix + "-", "PREFIXED", principal, "*", "READ",
                        "ALLOW"));
            }
            specs.add(new Spec("TOPIC", "app-" + user + "-", "PREFIXED", principal, "*", "ALTER", "DENY"));
            specs.add(new Spec("TOPIC", "app-" + user + "-", "PREFIXED", principal, "10.0.0.9", "ALTER", "DENY"));
            for (int group = 0; group < 10; group++) {
                specs.add(new Spec("GROUP", "group-" + user + "-" + group, "LITERAL", principal, "*", "READ",
                        "ALLOW"));
            }
            specs.add(new Spec("GROUP", "group-" + user + "-", "PREFIXED", principal, "*", "READ", "ALLOW"));
            if (user % 20 == 0) {
                specs.add(new Spec("TOPIC", "*", "LITERAL", principal, "*", "DESCRIBE_CONFIGS", "ALLOW"));
            } else {
                specs.add(new Spec("TOPIC", "topic-" + user + "-new", "LITERAL", principal, "*", "CREATE", "ALLOW"));
            }
        }
        return specs;
    }

    /** 1,000 topic names of 50 users, 20 each: a Metadata request for every topic of a busy cluster. */
    static String[] metadataTopicNames() {
        String[] names = new String[METADATA_TOPIC_COUNT];
        for (int index = 0; index < names.length; index++) {
            names[index] = "topic-" + (index / 20) + "-" + (index % 20);
        }
        return names;
    }
}
