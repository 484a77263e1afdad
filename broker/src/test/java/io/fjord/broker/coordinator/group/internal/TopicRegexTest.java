package io.fjord.broker.coordinator.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Subscription regular expressions: RE2's syntax, whole-name matches, no internal topics, bounded cost. */
class TopicRegexTest {
    @Test
    void matchesWholeNamesAndLeavesInternalTopicsOut() {
        Pattern pattern = TopicRegex.compile("fo.*", 100);
        assertThat(TopicRegex.resolve(pattern, List.of("foo", "xfoo", "fox", "__consumer_offsets")))
                .containsExactly("foo", "fox");
        assertThat(TopicRegex.resolve(TopicRegex.compile(".*", 100), List.of("a", "__transaction_state")))
                .containsExactly("a");
    }

    @Test
    void refusesWhatRe2DoesNotHaveAndPatternsThatAreTooLong() {
        for (String regex : List.of("(?=a)b", "(?!a)b", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?>a)", "a*+", "a++",
                "a?+", "a{2}+", "foo(", "[z-a]")) {
            assertThat(TopicRegex.compile(regex, 100)).as(regex).isNull();
        }
        assertThat(TopicRegex.compile("a".repeat(101), 100)).isNull();
        assertThat(TopicRegex.compile("topic\\\\1", 100)).isNotNull();
        assertThat(TopicRegex.compile("[a-z]+\\.events", 100)).isNotNull();
    }

    @Test
    void readsRe2SyntaxWhereJavaMeansSomethingElse() {
        // To Java, [[:alpha:]] is the set of ':', 'a', 'l', 'p', 'h'; to RE2 (and Kafka) any ASCII letter.
        assertThat(TopicRegex.resolve(TopicRegex.compile("[[:alpha:]]+", 100), List.of("orders", "alpha", "a1")))
                .containsExactly("alpha", "orders");
    }

    @Test
    void aCatastrophicallyBacktrackingPatternStopsAtItsBudgetAndDoesNotMatch() {
        Pattern pattern = TopicRegex.compile("(a+)+b", 100);
        String name = "a".repeat(60);
        long startNanos = System.nanoTime();
        assertThat(TopicRegex.matches(pattern, name)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(5));
        assertThat(TopicRegex.matches(pattern, "aaab")).isTrue();
    }
}
