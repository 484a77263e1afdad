package io.fjord.broker.coordinator.regex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * RE2 patterns on Java's engine, checked against Kafka's own RE2/J: every pattern accepted matches exactly the
 * texts RE2/J matches, and every pattern RE2/J refuses is refused.
 */
class Re2PatternsTest {
    private static final List<String> TEXTS = List.of("", "a", "A", "ab", "abc", "orders-app", "Orders-App",
            "payments_1", "tx-42", "tx-4242", ":", "alpha", "]", "[", "&", "a&b", "x{2}", "\u000B", " ", "\t",
            "a\n", "a\nb", "a\r", "\u0085", "\u2028", "\u03b1\u03b2", "\u00c9t\u00e9", "\u00e9t\u00e9", "a.b",
            "aaa", "aaaa", "{", "}", "a{", "a{x}", "a{,3}", "P", "\\", "$", "x$", "ab$", "a-b", "ab12", "__", "\u00e0");

    /** Patterns RE2/J accepts whose meaning Java shares, or gets through a rewrite. */
    private static final List<String> ACCEPTED = List.of("orders-.*", "tx-\\d+", "tx-\\d{2}", "tx-\\d{2,3}",
            "tx-\\d{2,}", "(?i)orders-app", "(?i:ORDERS)-app", "[[:alpha:]]+", "[[:^alpha:]]+", "[[:word:]]+",
            "[[:space:]]", "[[:punct:]]", "[]a]", "[^]a]", "[a[]", "[a&&b]+", "[a&b]+", "\\v", "\\s", "\\S+",
            "[\\s]", "[^\\s]+", ".*", "a.b", ".", "a$", "x\\$", "(?P<first>a)b", "(?<first>a)b", "\\p{Greek}+",
            "\\p{^Greek}+", "\\P{Greek}+", "\\pL+", "\\p{Lu}\\p{Ll}+", "a{x}", "a{", "a{,3}", "x{2}", "x\\{2\\}",
            "\\Qa.b\\E", "\\Qx{2}", "(?s)a.b", "(?m)a$", "(?m)^b$", "a*?", "a+?", "a??", "a{1,2}?", "(a|b)*",
            "\\x41", "\\x{41}", "[\\x41-\\x43]+", "\\Aa", "a\\z", "\\ba\\b", "[a-c]+", "[^a-c]+", "[-a]+",
            "\\.", "\\-", "\\ ", "(?:ab)+", "^ab$", "a|", "()", "\\t", "[\\]]", "(?i)\u00c9t\u00e9");

    /** Patterns RE2/J refuses, which Java may compile. */
    private static final List<String> REFUSED_BY_RE2 = List.of("(?=a)a", "(?!a)b", "(?<=a)b", "(?<!a)b",
            "(?>a)", "a*+", "a++", "a?+", "a{2}+", "(a)\\1", "\\k<x>", "\\h", "\\R", "\\X", "\\G", "\\Z", "\\e",
            "\\cA", "\\u0041", "a{1001}", "a{2}{3}", "a**", "(?x)a b", "(?d)a", "(?u)a", "[a", "(", "\\",
            "\\N{LATIN SMALL LETTER A}", "\\p{Lower}", "\\p{IsGreek}", "\\p{InGreek}", "\\p{javaLowerCase}", "\\C",
            "[\\b]");

    /** Patterns RE2/J accepts that Fjord refuses: no Java pattern is known to mean the same. */
    private static final List<String> REFUSED_THOUGH_RE2_ACCEPTS = List.of("(?U)a+", "\\101", "\\0",
            "\\\u00e9", "(?P<a_b>x)");

    @Test
    void acceptedPatternsMatchExactlyWhatRe2Matches() {
        for (String regex : ACCEPTED) {
            com.google.re2j.Pattern oracle = com.google.re2j.Pattern.compile(regex);
            Pattern pattern = Re2Patterns.compile(regex);
            assertThat(pattern).as("accepted: %s", regex).isNotNull();
            for (String text : TEXTS) {
                assertThat(Re2Patterns.matchesWhole(pattern, text, 1_000_000))
                        .as("%s (as %s) on \"%s\"", regex, pattern.pattern(), text)
                        .isEqualTo(oracle.matcher(text).matches());
            }
        }
    }

    @Test
    void whatRe2RefusesIsRefused() {
        for (String regex : REFUSED_BY_RE2) {
            assertThat(re2Accepts(regex)).as("RE2/J refuses %s", regex).isFalse();
            assertThat(Re2Patterns.compile(regex)).as("refused: %s", regex).isNull();
        }
    }

    @Test
    void theFewPatternsWithoutAJavaTwinAreRefusedThoughRe2AcceptsThem() {
        for (String regex : REFUSED_THOUGH_RE2_ACCEPTS) {
            assertThat(re2Accepts(regex)).as("RE2/J accepts %s", regex).isTrue();
            assertThat(Re2Patterns.compile(regex)).as("refused: %s", regex).isNull();
        }
    }

    @Test
    void aBacktrackingMatchStopsAtItsBudgetAsNoMatch() {
        Pattern pattern = Re2Patterns.compile("(a|aa)+b");
        String text = "a".repeat(60);
        assertThat(com.google.re2j.Pattern.compile("(a|aa)+b").matcher(text).matches()).isFalse();
        assertThat(Re2Patterns.matchesWhole(pattern, text, 100_000)).isFalse();
        assertThat(Re2Patterns.matchesWhole(pattern, "aaab", 100_000)).isTrue();
    }

    private static boolean re2Accepts(String regex) {
        try {
            com.google.re2j.Pattern.compile(regex);
            return true;
        } catch (com.google.re2j.PatternSyntaxException refused) {
            return false;
        }
    }
}
