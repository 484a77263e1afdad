package io.fjord.broker.coordinator.group.internal;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Subscription regular expressions of KIP-848 groups. Kafka compiles them with RE2/J and matches whole topic names;
 * Fjord uses {@link java.util.regex} with the same whole-name match ({@link java.util.regex.Matcher#matches}) and
 * refuses what RE2 syntax lacks (look-around, back-references, atomic groups, possessive quantifiers), so the
 * patterns accepted mean the same on both. Internal topics ({@code __consumer_offsets}, {@code __transaction_state})
 * never match. Differences left: Java's engine backtracks where RE2 runs in linear time, so patterns are limited in
 * length and each match in the characters it may read ({@link #MAX_CHARACTER_READS}: a pattern that would backtrack
 * catastrophically on a name does not match it instead of stalling the coordinator); a few character class
 * spellings RE2 knows ({@code [[:alpha:]]}) are refused by Java as invalid.
 *
 * <p>Stateless and thread-safe.
 */
final class TopicRegex {
    private static final List<String> UNSUPPORTED = List.of("(?=", "(?!", "(?<=", "(?<!", "(?>", "*+", "++", "?+",
            "}+");
    private static final Pattern BACK_REFERENCE = Pattern.compile("\\\\[1-9]|\\\\k<");
    private static final List<String> INTERNAL_TOPICS = List.of("__consumer_offsets", "__transaction_state");
    /** How many characters one match may read (a topic name has at most 249). */
    static final int MAX_CHARACTER_READS = 1_000_000;

    private TopicRegex() {
    }

    /** The compiled pattern, or null when it is not a valid expression (INVALID_REGULAR_EXPRESSION). */
    static Pattern compile(String regex, int maxLength) {
        if (regex.length() > maxLength) {
            return null;
        }
        String withoutEscapedBackslashes = regex.replace("\\\\", "");
        for (String construct : UNSUPPORTED) {
            if (withoutEscapedBackslashes.contains(construct)) {
                return null;
            }
        }
        if (BACK_REFERENCE.matcher(withoutEscapedBackslashes).find()) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException invalid) {
            return null;
        }
    }

    /** Whether the pattern matches the whole name within the read budget. */
    static boolean matches(Pattern pattern, String topic) {
        try {
            return pattern.matcher(new BudgetedCharSequence(topic, new int[] {MAX_CHARACTER_READS})).matches();
        } catch (BudgetExhausted tooCostly) {
            return false;
        }
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

    /** Thrown when a match has read its budget of characters. */
    private static final class BudgetExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExhausted() {
            super(null, null, false, false);
        }
    }

    /** A name that counts the characters the matcher reads (sub-sequences share the budget). */
    private record BudgetedCharSequence(String text, int[] budget) implements CharSequence {
        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new BudgetExhausted();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedCharSequence(text.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
