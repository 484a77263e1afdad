package io.fjord.broker.coordinator.regex;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Regular expressions in RE2's syntax, as Kafka compiles them with RE2/J (KIP-848 topic subscriptions, KIP-1152
 * transactional id patterns), run on {@link java.util.regex}: each pattern is rewritten into the Java pattern that
 * matches the same strings, or refused (null, INVALID_REGULAR_EXPRESSION) when RE2 refuses it or when Java would
 * read it differently and no rewrite is known. Rewrites: POSIX classes ({@code [[:alpha:]]}, which Java reads as a
 * set of letters) become Java's ASCII classes; {@code [} and {@code &} inside a class are literals (Java nests and
 * intersects classes); {@code \v} is the vertical tab; {@code (?P<name>} is a named group; {@code (?i)} folds Unicode
 * case; {@code \p{Script}} is Java's {@code \p{IsScript}}; {@code $} outside multi-line mode is the end of the text;
 * only {@code \n} ends a line; {@code \s} leaves out the vertical tab. Refused as RE2 refuses them: look-around,
 * back-references, atomic groups, possessive and doubled quantifiers, repetition counts above 1000, flags other
 * than i, m, s, and escapes RE2 lacks ({@code \h \R \X \G \Z \e \c \C}, Java's four-digit Unicode escape ...).
 * Refused though RE2 accepts them: octal escapes ({@code \1}, which Java reads as a back-reference), RE2's ungreedy
 * flag U (Java's U is another flag), escaped non-ASCII characters, {@code \p} names that are neither a general
 * category nor a script, and group names Java cannot take. A brace that starts no repetition ({@code a{,3}}) is a
 * literal, as in RE2. What is left apart: Java backtracks where RE2 runs in linear time, so {@link #matchesWhole}
 * bounds the characters one match may read.
 *
 * <p>Stateless and thread-safe.
 */
public final class Re2Patterns {
    private static final int MAX_REPEAT = 1000;
    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("ascii", "\\p{ASCII}"), Map.entry("blank", "\\p{Blank}"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("digit", "\\p{Digit}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("lower", "\\p{Lower}"), Map.entry("print", "\\p{Print}"), Map.entry("punct", "\\p{Punct}"),
            Map.entry("space", "\\s"), Map.entry("upper", "\\p{Upper}"), Map.entry("word", "\\w"),
            Map.entry("xdigit", "\\p{XDigit}"));
    private static final Set<String> GENERAL_CATEGORIES = Set.of("L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc",
            "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
            "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Co", "Cs");
    /** Escapes of one letter that mean the same in RE2 and Java. */
    private static final String SAME_LETTER_ESCAPES = "dDwWbBAztnrfa";
    /** RE2's {@code \s}: Java's adds the vertical tab. */
    private static final String RE2_SPACE = "\\t\\n\\f\\r ";

    private Re2Patterns() {
    }

    /** The Java pattern matching what RE2 matches for {@code regex}, or null when it is refused. */
    public static Pattern compile(String regex) {
        String translated;
        try {
            translated = new Translator(regex).translate();
        } catch (Refused refused) {
            return null;
        }
        try {
            return Pattern.compile(translated, Pattern.UNIX_LINES);
            // PatternSyntaxException, or a flag combination Java refuses.
        } catch (IllegalArgumentException invalid) {
            return null;
        }
    }

    /** Whether {@code pattern} matches all of {@code text}; false when the match would read more than allowed. */
    public static boolean matchesWhole(Pattern pattern, String text, int maxCharacterReads) {
        try {
            return pattern.matcher(new BudgetedCharSequence(text, new int[] {maxCharacterReads})).matches();
        } catch (BudgetExhausted tooCostly) {
            return false;
        }
    }

    /** A pattern RE2 refuses, or one Java would read differently. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused() {
            super(null, null, false, false);
        }
    }

    /** One pass over the pattern, copying what means the same and rewriting or refusing the rest. */
    private static final class Translator {
        private final String regex;
        private final StringBuilder out = new StringBuilder();
        private final boolean multiLine;
        private int position;
        /** Whether the last item was a quantifier, which RE2 does not let another follow. */
        private boolean afterQuantifier;

        Translator(String regex) {
            this.regex = regex;
            this.multiLine = regex.matches("(?s).*\\(\\?[a-zA-Z]*m.*");
        }

        String translate() {
            while (position < regex.length()) {
                char c = regex.charAt(position++);
                boolean quantifier = false;
                switch (c) {
                    case '\\' -> escape(false);
                    case '[' -> characterClass();
                    case '(' -> group();
                    case '*', '+', '?' -> {
                        if (afterQuantifier && !(c == '?' && previousIsGreedyQuantifier())) {
                            throw new Refused();
                        }
                        out.append(c);
                        quantifier = c != '?' || !afterQuantifier;
                    }
                    case '{' -> quantifier = repetition();
                    case '$' -> out.append(multiLine ? "$" : "\\z");
                    default -> out.append(c);
                }
                afterQuantifier = quantifier;
            }
            return out.toString();
        }

        private boolean previousIsGreedyQuantifier() {
            char previous = regex.charAt(position - 2);
            return previous == '*' || previous == '+' || previous == '?' || previous == '}';
        }

        /** {@code {n}}, {@code {n,}}, {@code {n,m}} up to 1000; RE2 reads any other brace as a literal. */
        private boolean repetition() {
            int close = regex.indexOf('}', position);
            String body = close < 0 ? "" : regex.substring(position, close);
            if (!body.matches("\\d+(,\\d*)?")) {
                // A literal brace in RE2 where Java would refuse or quantify: keep it a literal.
                out.append("\\{");
                return false;
            }
            if (afterQuantifier) {
                throw new Refused();
            }
            for (String count : body.split(",")) {
                if (!count.isEmpty() && (count.length() > 4 || Integer.parseInt(count) > MAX_REPEAT)) {
                    throw new Refused();
                }
            }
            out.append('{').append(body).append('}');
            position = close + 1;
            return true;
        }

        private void group() {
            if (position >= regex.length() || regex.charAt(position) != '?') {
                out.append('(');
                return;
            }
            position++;
            if (regex.startsWith(":", position)) {
                out.append("(?:");
                position++;
            } else if (regex.startsWith("P<", position) || (regex.startsWith("<", position)
                    && !regex.startsWith("<=", position) && !regex.startsWith("<!", position))) {
                position += regex.charAt(position) == 'P' ? 2 : 1;
                out.append("(?<");
            } else {
                flags();
            }
        }

        /** {@code (?flags)} or {@code (?flags:re)} with RE2's i, m, s; anything else after {@code (?} is refused. */
        private void flags() {
            out.append("(?");
            while (position < regex.length()) {
                char flag = regex.charAt(position++);
                switch (flag) {
                    case 'i' -> out.append("iu");
                    case 'm', 's', '-' -> out.append(flag);
                    case ')', ':' -> {
                        out.append(flag);
                        return;
                    }
                    default -> throw new Refused();
                }
            }
            throw new Refused();
        }

        private void characterClass() {
            out.append('[');
            if (regex.startsWith("^", position)) {
                out.append('^');
                position++;
            }
            if (regex.startsWith("]", position)) {
                // A first ']' is a literal in RE2.
                out.append("\\]");
                position++;
            }
            while (position < regex.length()) {
                char c = regex.charAt(position++);
                switch (c) {
                    case ']' -> {
                        out.append(']');
                        return;
                    }
                    case '\\' -> escape(true);
                    case '[' -> posixClassOrLiteral();
                    case '&' -> out.append("\\&");
                    default -> out.append(c);
                }
            }
            throw new Refused();
        }

        private void posixClassOrLiteral() {
            if (regex.startsWith(":", position)) {
                int end = regex.indexOf(":]", position + 1);
                if (end > 0) {
                    String name = regex.substring(position + 1, end);
                    boolean negated = name.startsWith("^");
                    String javaClass = POSIX_CLASSES.get(negated ? name.substring(1) : name);
                    if (javaClass == null) {
                        throw new Refused();
                    }
                    out.append(negated ? negate(javaClass) : javaClass);
                    position = end + 2;
                    return;
                }
            }
            out.append("\\[");
        }

        private static String negate(String javaClass) {
            return javaClass.startsWith("\\p") ? "\\P" + javaClass.substring(2)
                    : "\\" + Character.toUpperCase(javaClass.charAt(1));
        }

        private void escape(boolean inClass) {
            if (position >= regex.length()) {
                throw new Refused();
            }
            char c = regex.charAt(position++);
            if (c >= 0x80) {
                throw new Refused();
            } else if (!Character.isLetterOrDigit(c)) {
                out.append('\\').append(c);
            } else if (c == 'b' && inClass) {
                throw new Refused();
            } else if (SAME_LETTER_ESCAPES.indexOf(c) >= 0 && !(inClass && "bBAz".indexOf(c) >= 0)) {
                out.append('\\').append(c);
            } else if (c == 's' || c == 'S') {
                // A nested class, which Java also takes inside a class (a union).
                out.append(c == 's' ? "[" : "[^").append(RE2_SPACE).append(']');
            } else if (c == 'v') {
                out.append("\\x0B");
            } else if (c == 'x') {
                hexEscape();
            } else if (c == 'p' || c == 'P') {
                property(c == 'P');
            } else if (c == 'Q' && !inClass) {
                quoted();
            } else {
                throw new Refused();
            }
        }

        private void hexEscape() {
            if (regex.startsWith("{", position)) {
                int close = regex.indexOf('}', position);
                if (close < 0) {
                    throw new Refused();
                }
                out.append("\\x").append(regex, position, close + 1);
                position = close + 1;
            } else {
                out.append("\\x");
            }
        }

        /** {@code \pL}, {@code \p{Lu}}, {@code \p{Greek}}, {@code \p{^Greek}}. */
        private void property(boolean negated) {
            String name;
            if (regex.startsWith("{", position)) {
                int close = regex.indexOf('}', position);
                if (close < 0) {
                    throw new Refused();
                }
                name = regex.substring(position + 1, close);
                position = close + 1;
            } else if (position < regex.length()) {
                name = String.valueOf(regex.charAt(position++));
            } else {
                throw new Refused();
            }
            if (name.startsWith("^")) {
                negated = !negated;
                name = name.substring(1);
            }
            String javaName;
            if (GENERAL_CATEGORIES.contains(name)) {
                javaName = name;
            } else {
                try {
                    Character.UnicodeScript.forName(name);
                } catch (IllegalArgumentException unknown) {
                    throw new Refused();
                }
                javaName = "Is" + name;
            }
            out.append(negated ? "\\P{" : "\\p{").append(javaName).append('}');
        }

        /** {@code \Q...\E}: literal text in both. */
        private void quoted() {
            int end = regex.indexOf("\\E", position);
            String literal = end < 0 ? regex.substring(position) : regex.substring(position, end);
            out.append(Pattern.quote(literal));
            position = end < 0 ? regex.length() : end + 2;
        }
    }

    /** Thrown when a match has read its budget of characters. */
    private static final class BudgetExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExhausted() {
            super(null, null, false, false);
        }
    }

    /** A text that counts the characters the matcher reads (sub-sequences share the budget). */
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
