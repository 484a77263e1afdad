package io.fjord.protocol.generator;

/**
 * A version range of the schema language: {@code "3+"}, {@code "1-4"}, {@code "2"} or {@code "none"}. Immutable.
 */
record Versions(int lowest, int highest) {
    static final Versions NONE = new Versions(Integer.MAX_VALUE, -1);
    static final Versions ALL = new Versions(0, Short.MAX_VALUE);

    static Versions parse(String text, Versions fallback) {
        if (text == null) {
            return fallback;
        }
        String trimmed = text.trim();
        if (trimmed.equals("none")) {
            return NONE;
        }
        if (trimmed.endsWith("+")) {
            return new Versions(Integer.parseInt(trimmed.substring(0, trimmed.length() - 1)), Short.MAX_VALUE);
        }
        int dash = trimmed.indexOf('-');
        if (dash > 0) {
            return new Versions(Integer.parseInt(trimmed.substring(0, dash)), Integer.parseInt(trimmed.substring(dash + 1)));
        }
        int single = Integer.parseInt(trimmed);
        return new Versions(single, single);
    }

    boolean isEmpty() {
        return lowest > highest;
    }

    boolean contains(int version) {
        return version >= lowest && version <= highest;
    }
}
