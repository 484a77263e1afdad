package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.regex.Re2Patterns;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Subscription regular expressions of KIP-848 groups. Kafka compiles them with RE2/J and matches whole topic names;
 * Fjord reads them in RE2's syntax through {@link Re2Patterns} (which rewrites what Java would read differently,
 * such as {@code [[:alpha:]]}, and refuses what RE2 lacks: look-around, back-references, atomic groups, possessive
 * quantifiers) with the same whole-name match. Internal topics ({@code __consumer_offsets},
 * {@code __transaction_state}) never match. Difference left: Java's engine backtracks where RE2 runs in linear time,
 * so patterns are limited in length and each match in the characters it may read ({@link #MAX_CHARACTER_READS}: a
 * pattern that would backtrack catastrophically on a name does not match it instead of stalling the coordinator).
 *
 * <p>Stateless and thread-safe.
 */
final class TopicRegex {
    private static final List<String> INTERNAL_TOPICS = List.of("__consumer_offsets", "__transaction_state");
    /** How many characters one match may read (a topic name has at most 249). */
    static final int MAX_CHARACTER_READS = 1_000_000;

    private TopicRegex() {
    }

    /** The compiled pattern, or null when it is not a valid expression (INVALID_REGULAR_EXPRESSION). */
    static Pattern compile(String regex, int maxLength) {
        return regex.length() > maxLength ? null : Re2Patterns.compile(regex);
    }

    /** Whether the pattern matches the whole name within the read budget. */
    static boolean matches(Pattern pattern, String topic) {
        return Re2Patterns.matchesWhole(pattern, topic, MAX_CHARACTER_READS);
    }

    /** The topic names the pattern matches whole, sorted. */
    static List<String> resolve(Pattern pattern, Collection<String> topicNames) {
        TreeSet<String> matched = new TreeSet<>();
        for (String topic : topicNames) {
            if (!INTERNAL_TOPICS.contains(topic) && matches(pattern, topic)) {
                matched.add(topic);
            }
        }
        return List.copyOf(matched);
    }
}
