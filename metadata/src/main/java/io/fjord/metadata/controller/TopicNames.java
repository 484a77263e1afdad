package io.fjord.metadata.controller;

import java.util.Optional;

/**
 * Kafka's rules for topic names: 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', neither "." nor
 * "..". Two names that differ only by '.' versus '_' collide (their metric names would be the same). Stateless.
 */
public final class TopicNames {
    public static final int LENGTH_MAX = 249;

    private TopicNames() {
    }

    /** Why the name is invalid, or empty if it is valid. */
    public static Optional<String> validate(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("Topic name is illegal, it can't be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("Topic name cannot be \".\" or \"..\"");
        }
        if (name.length() > LENGTH_MAX) {
            return Optional.of("Topic name is illegal, it can't be longer than " + LENGTH_MAX + " characters, topic name: "
                    + name);
        }
        for (int index = 0; index < name.length(); index++) {
            char character = name.charAt(index);
            boolean legal = (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z')
                    || (character >= '0' && character <= '9') || character == '.' || character == '_'
                    || character == '-';
            if (!legal) {
                return Optional.of("Topic name \"" + name + "\" is illegal, it contains a character other than "
                        + "ASCII alphanumerics, '.', '_' and '-'");
            }
        }
        return Optional.empty();
    }

    /** The name with '.' replaced by '_', under which colliding names are equal. */
    public static String collisionKey(String name) {
        return name.replace('.', '_');
    }

    public static boolean isInternal(String name) {
        return name.equals("__consumer_offsets") || name.equals("__transaction_state");
    }
}
