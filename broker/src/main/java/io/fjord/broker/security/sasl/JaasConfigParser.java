package io.fjord.broker.security.sasl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses Kafka's {@code sasl.jaas.config} value, the JAAS file syntax of one login context's body:
 * {@code <LoginModuleClass> <Flag> [<name>=<value> ...];} with values as words or double-quoted strings (backslash
 * escapes a character), {@code //} and {@code /* *}{@code /} comments. As Kafka requires, the value holds exactly
 * one login module. Errors are {@link IllegalArgumentException}s that never quote option values (passwords).
 * Stateless; thread-safe.
 */
public final class JaasConfigParser {
    private static final Set<String> FLAGS = Set.of("required", "requisite", "sufficient", "optional");
    /** Bounds the work a hostile or mistaken value can cause. */
    private static final int MAX_LENGTH = 1_048_576;

    private JaasConfigParser() {
    }

    public static JaasEntry parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("JAAS config is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("JAAS config is longer than " + MAX_LENGTH + " characters");
        }
        List<String[]> tokens = tokens(text);
        List<JaasEntry> entries = new ArrayList<>();
        int index = 0;
        while (index < tokens.size()) {
            String[] module = tokens.get(index++);
            if (!module[0].equals("word")) {
                throw new IllegalArgumentException("JAAS config entry does not start with a login module class name");
            }
            if (index >= tokens.size() || !tokens.get(index)[0].equals("word")) {
                throw new IllegalArgumentException("JAAS config entry " + module[1] + " has no control flag");
            }
            String flag = tokens.get(index++)[1].toLowerCase(Locale.ROOT);
            if (!FLAGS.contains(flag)) {
                throw new IllegalArgumentException("JAAS config entry " + module[1] + " has an invalid control flag "
                        + flag + " (required, requisite, sufficient or optional)");
            }
            Map<String, String> options = new LinkedHashMap<>();
            while (true) {
                if (index >= tokens.size()) {
                    throw new IllegalArgumentException("JAAS config entry " + module[1] + " is not terminated by ';'");
                }
                String[] token = tokens.get(index++);
                if (token[0].equals(";")) {
                    break;
                }
                if (!token[0].equals("word") || index + 1 >= tokens.size() || !tokens.get(index)[0].equals("=")
                        || !(tokens.get(index + 1)[0].equals("word") || tokens.get(index + 1)[0].equals("quoted"))) {
                    throw new IllegalArgumentException("JAAS config entry " + module[1]
                            + " has an option not of the form name=value");
                }
                options.put(token[1], tokens.get(index + 1)[1]);
                index += 2;
            }
            entries.add(new JaasEntry(module[1], flag, options));
        }
        if (entries.size() != 1) {
            throw new IllegalArgumentException("JAAS config property contains " + entries.size()
                    + " login modules, should be 1 module");
        }
        return entries.get(0);
    }

    /** Each token as {type, text}: type word, quoted, "=" or ";". */
    private static List<String[]> tokens(String text) {
        List<String[]> tokens = new ArrayList<>();
        int position = 0;
        while (position < text.length()) {
            char character = text.charAt(position);
            if (Character.isWhitespace(character)) {
                position++;
            } else if (text.startsWith("//", position)) {
                int end = text.indexOf('\n', position);
                position = end < 0 ? text.length() : end + 1;
            } else if (text.startsWith("/*", position)) {
                int end = text.indexOf("*/", position + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("JAAS config has an unterminated comment");
                }
                position = end + 2;
            } else if (character == '=' || character == ';') {
                tokens.add(new String[] {String.valueOf(character), String.valueOf(character)});
                position++;
            } else if (character == '"') {
                StringBuilder value = new StringBuilder();
                position++;
                while (true) {
                    if (position >= text.length()) {
                        throw new IllegalArgumentException("JAAS config has an unterminated quoted value");
                    }
                    char next = text.charAt(position++);
                    if (next == '"') {
                        break;
                    }
                    if (next == '\\' && position < text.length()) {
                        next = text.charAt(position++);
                    }
                    value.append(next);
                }
                tokens.add(new String[] {"quoted", value.toString()});
            } else if (isWordCharacter(character)) {
                int start = position;
                while (position < text.length() && isWordCharacter(text.charAt(position))) {
                    position++;
                }
                tokens.add(new String[] {"word", text.substring(start, position)});
            } else {
                throw new IllegalArgumentException("JAAS config has an unexpected character '" + character
                        + "' at position " + position);
            }
        }
        return tokens;
    }

    private static boolean isWordCharacter(char character) {
        return Character.isLetterOrDigit(character) || character == '_' || character == '-' || character == '$'
                || character == '.';
    }
}
