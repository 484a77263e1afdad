package io.fjord.broker.network.tls;

import io.fjord.broker.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Kafka's {@code ssl.principal.mapping.rules}: from a client certificate's distinguished name (RFC 2253 form, as
 * {@code X500Principal.getName()} gives it) to the principal's name. Rules are tried in order and the first that
 * applies wins: {@code DEFAULT} keeps the name as it is; {@code RULE:pattern/replacement/} applies when the pattern
 * matches the whole name and gives the name with the pattern's matches replaced ({@code $1} refers to a group), then
 * lower-cased with a trailing {@code L} or upper-cased with {@code U}. Rules are separated by commas (white
 * space around them allowed), which may also appear inside a rule's pattern; a backslash escapes a {@code /}. When no rule applies the
 * name cannot be mapped and the client is refused. Immutable; thread-safe.
 */
public final class SslPrincipalMapper {
    private final List<Rule> rules;

    private SslPrincipalMapper(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Parses the rules.
     *
     * @throws ConfigException naming {@code key} when a rule does not parse or its pattern is not a regex
     */
    public static SslPrincipalMapper parse(String text, String key) {
        String rulesText = text == null || text.isBlank() ? "DEFAULT" : text;
        List<Rule> rules = new ArrayList<>();
        int position = 0;
        int length = rulesText.length();
        while (true) {
            position = skipWhitespace(rulesText, position);
            if (position >= length) {
                break;
            }
            if (rulesText.startsWith("DEFAULT", position)) {
                rules.add(Rule.DEFAULT);
                position += "DEFAULT".length();
            } else if (rulesText.startsWith("RULE:", position)) {
                int patternStart = position + "RULE:".length();
                int patternEnd = unescapedSlash(rulesText, patternStart);
                int replacementEnd = patternEnd < 0 ? -1 : unescapedSlash(rulesText, patternEnd + 1);
                if (replacementEnd < 0) {
                    throw new ConfigException(key, text, "rule at position " + position
                            + " is not of the form RULE:pattern/replacement/[LU]");
                }
                char caseFlag = replacementEnd + 1 < length ? rulesText.charAt(replacementEnd + 1) : ' ';
                boolean hasFlag = caseFlag == 'L' || caseFlag == 'U';
                String pattern = rulesText.substring(patternStart, patternEnd);
                try {
                    rules.add(new Rule(Pattern.compile(pattern), rulesText.substring(patternEnd + 1, replacementEnd),
                            hasFlag && caseFlag == 'L', hasFlag && caseFlag == 'U'));
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(key, text, "invalid pattern " + pattern + ": " + e.getDescription());
                }
                position = replacementEnd + (hasFlag ? 2 : 1);
            } else {
                throw new ConfigException(key, text, "invalid rule at position " + position
                        + " (rules are DEFAULT or RULE:pattern/replacement/[LU])");
            }
            position = skipWhitespace(rulesText, position);
            if (position < length) {
                if (rulesText.charAt(position) != ',') {
                    throw new ConfigException(key, text, "rules must be separated by commas (position " + position
                            + ")");
                }
                position++;
            }
        }
        if (rules.isEmpty()) {
            throw new ConfigException(key, text, "no rule");
        }
        return new SslPrincipalMapper(rules);
    }

    /** The principal name for {@code distinguishedName}; empty when no rule applies. */
    public Optional<String> map(String distinguishedName) {
        for (Rule rule : rules) {
            String mapped = rule.apply(distinguishedName);
            if (mapped != null) {
                return Optional.of(mapped);
            }
        }
        return Optional.empty();
    }

    private static int skipWhitespace(String text, int from) {
        int position = from;
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
        return position;
    }

    private static int unescapedSlash(String text, int from) {
        for (int index = from; index < text.length(); index++) {
            char c = text.charAt(index);
            if (c == '\\') {
                index++;
            } else if (c == '/') {
                return index;
            }
        }
        return -1;
    }

    private record Rule(Pattern pattern, String replacement, boolean toLowerCase, boolean toUpperCase) {
        static final Rule DEFAULT = new Rule(null, null, false, false);

        String apply(String name) {
            if (pattern == null) {
                return name;
            }
            Matcher matcher = pattern.matcher(name);
            if (!matcher.matches()) {
                return null;
            }
            String result = pattern.matcher(name).replaceAll(literalMissingGroups(replacement, matcher.groupCount()));
            if (toLowerCase) {
                return result.toLowerCase(Locale.ENGLISH);
            }
            return toUpperCase ? result.toUpperCase(Locale.ENGLISH) : result;
        }

        /** As Kafka: {@code $n} naming a group the pattern lacks stays literal text instead of failing. */
        private static String literalMissingGroups(String replacement, int groupCount) {
            StringBuilder result = new StringBuilder();
            for (int index = 0; index < replacement.length(); index++) {
                char c = replacement.charAt(index);
                if (c == '\\' && index + 1 < replacement.length()) {
                    result.append(c).append(replacement.charAt(++index));
                } else if (c == '$') {
                    int end = index + 1;
                    while (end < replacement.length() && Character.isDigit(replacement.charAt(end))) {
                        end++;
                    }
                    boolean known = end > index + 1 && Integer.parseInt(replacement.substring(index + 1,
                            Math.min(end, index + 10))) <= groupCount;
                    result.append(known ? "$" : "\\$");
                } else {
                    result.append(c);
                }
            }
            return result.toString();
        }
    }
}
