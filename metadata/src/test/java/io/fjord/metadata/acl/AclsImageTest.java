package io.fjord.metadata.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ACL index: what applies to a resource, what a filter matches, against a pass over every ACL. */
class AclsImageTest {
    private static Acl allow(AclResourceType type, String name, AclPatternType pattern) {
        return new Acl(type, name, pattern, "User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW);
    }

    private static AclsImage image(Acl... acls) {
        AclsImage image = AclsImage.EMPTY;
        for (Acl acl : acls) {
            image = image.with(UUID.randomUUID(), acl);
        }
        return image;
    }

    @Test
    void literalWildcardAndEveryStoredPrefixApplyToAResource() {
        Acl exact = allow(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL);
        Acl wildcard = allow(AclResourceType.TOPIC, "*", AclPatternType.LITERAL);
        Acl shortPrefix = allow(AclResourceType.TOPIC, "o", AclPatternType.PREFIXED);
        Acl longPrefix = allow(AclResourceType.TOPIC, "ord", AclPatternType.PREFIXED);
        Acl whole = allow(AclResourceType.TOPIC, "orders", AclPatternType.PREFIXED);
        // Sorted between the prefixes of "orders" without being one: the walk must skip them.
        Acl between = allow(AclResourceType.TOPIC, "oa", AclPatternType.PREFIXED);
        Acl after = allow(AclResourceType.TOPIC, "ordz", AclPatternType.PREFIXED);
        Acl longer = allow(AclResourceType.TOPIC, "orders-eu", AclPatternType.PREFIXED);
        Acl otherLiteral = allow(AclResourceType.TOPIC, "order", AclPatternType.LITERAL);
        Acl otherType = allow(AclResourceType.GROUP, "orders", AclPatternType.LITERAL);
        AclsImage image = image(exact, wildcard, shortPrefix, longPrefix, whole, between, after, longer,
                otherLiteral, otherType);

        assertThat(image.applyingTo(AclResourceType.TOPIC, "orders"))
                .containsExactlyInAnyOrder(exact, wildcard, shortPrefix, longPrefix, whole);
        assertThat(image.applyingTo(AclResourceType.TOPIC, "payments")).containsExactly(wildcard);
        assertThat(image.applyingTo(AclResourceType.CLUSTER, "kafka-cluster")).isEmpty();
        assertThat(image.ofType(AclResourceType.GROUP)).containsExactly(otherType);
    }

    @Test
    void removingAnAclTakesItOutOfTheIndexAndEqualImagesHoldTheSameAcls() {
        UUID id = UUID.randomUUID();
        Acl acl = allow(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL);
        AclsImage with = AclsImage.EMPTY.with(id, acl);

        assertThat(with.contains(acl)).isTrue();
        AclsImage without = with.without(id);
        assertThat(without.contains(acl)).isFalse();
        assertThat(without.applyingTo(AclResourceType.TOPIC, "orders")).isEmpty();
        assertThat(without).isEqualTo(AclsImage.EMPTY);
        assertThat(AclsImage.of(Map.of(id, acl))).isEqualTo(with);
        assertThatThrownBy(() -> with.with(id, acl)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> without.without(id)).isInstanceOf(IllegalStateException.class);
    }

    /** The index answers as {@link AclFilter#matches} over every ACL does, for seeded random ACLs and filters. */
    @Test
    void filtersMatchThroughTheIndexAsAPassOverEveryAclDoes() {
        String[] names = {"*", "a", "ab", "abc", "abd", "b", "ba", "kafka-cluster", "abcd"};
        AclResourceType[] types = {AclResourceType.TOPIC, AclResourceType.GROUP, AclResourceType.CLUSTER};
        AclPatternType[] filterPatterns = {AclPatternType.ANY, AclPatternType.MATCH, AclPatternType.LITERAL,
                AclPatternType.PREFIXED};
        for (long seed = 0; seed < 50; seed++) {
            Random random = new Random(seed);
            Map<UUID, Acl> all = new LinkedHashMap<>();
            for (int i = 0; i < 60; i++) {
                all.put(new UUID(seed, i), new Acl(types[random.nextInt(types.length)],
                        names[random.nextInt(names.length)],
                        random.nextBoolean() ? AclPatternType.LITERAL : AclPatternType.PREFIXED,
                        random.nextBoolean() ? "User:alice" : "User:*", random.nextBoolean() ? "*" : "10.0.0.1",
                        random.nextBoolean() ? AclOperation.READ : AclOperation.ALL,
                        random.nextBoolean() ? AclPermissionType.ALLOW : AclPermissionType.DENY));
            }
            AclsImage image = AclsImage.of(all);
            for (int i = 0; i < 200; i++) {
                AclFilter filter = new AclFilter(random.nextInt(4) == 0 ? AclResourceType.ANY
                        : types[random.nextInt(types.length)],
                        random.nextInt(5) == 0 ? null : names[random.nextInt(names.length)],
                        filterPatterns[random.nextInt(filterPatterns.length)],
                        random.nextBoolean() ? null : "User:alice", null,
                        random.nextBoolean() ? AclOperation.ANY : AclOperation.READ, AclPermissionType.ANY);
                List<UUID> expected = new ArrayList<>();
                all.forEach((id, acl) -> {
                    if (filter.matches(acl)) {
                        expected.add(id);
                    }
                });
                assertThat(image.matching(filter).keySet()).as("seed %d filter %s", seed, filter)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void kafkaFilterRulesForPatternTypes() {
        Acl literal = allow(AclResourceType.TOPIC, "orders", AclPatternType.LITERAL);
        Acl wildcard = allow(AclResourceType.TOPIC, "*", AclPatternType.LITERAL);
        Acl prefixed = allow(AclResourceType.TOPIC, "ord", AclPatternType.PREFIXED);
        AclFilter match = filter("orders", AclPatternType.MATCH);
        AclFilter any = filter("orders", AclPatternType.ANY);
        AclFilter exactLiteral = filter("orders", AclPatternType.LITERAL);
        AclFilter exactPrefixed = filter("ord", AclPatternType.PREFIXED);

        assertThat(List.of(literal, wildcard, prefixed)).allMatch(match::matches);
        assertThat(any.matches(literal)).isTrue();
        assertThat(any.matches(wildcard)).isFalse();
        assertThat(any.matches(prefixed)).isFalse();
        assertThat(exactLiteral.matches(literal)).isTrue();
        assertThat(exactLiteral.matches(wildcard)).isFalse();
        assertThat(exactPrefixed.matches(prefixed)).isTrue();
        assertThat(exactPrefixed.matches(literal)).isFalse();
        assertThat(filter("*", AclPatternType.LITERAL).matches(wildcard)).isTrue();
        assertThat(filter("*", AclPatternType.LITERAL).matches(literal)).isFalse();
    }

    private static AclFilter filter(String name, AclPatternType pattern) {
        return new AclFilter(AclResourceType.TOPIC, name, pattern, null, null, AclOperation.ANY,
                AclPermissionType.ANY);
    }
}
