package io.fjord.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The type of a configuration, with the ids of the DescribeConfigs {@code ConfigType} field, and how a textual value of
 * that type is parsed and printed the way Kafka's config definitions do. Immutable.
 */
public enum ConfigType {
    BOOLEAN(1), STRING(2), INT(3), SHORT(4), LONG(5), DOUBLE(6), LIST(7), CLASS(8), PASSWORD(9);

    private final byte id;

    ConfigType(int id) {
        this.id = (byte) id;
    }

    /** The id of this type in DescribeConfigs responses. */
    public byte id() {
        return id;
    }

    /**
     * Parses {@code raw} into a {@link Boolean}, {@link String}, {@link Integer}, {@link Short}, {@link Long},
     * {@link Double} or {@code List<String>}. Values are trimmed, except passwords.
     *
     * @throws ConfigException naming {@code name} and the value when it is not of this type
     */
    public Object parse(String name, String raw) {
        if (raw == null) {
            throw new ConfigException(name, null, "Value must not be null");
        }
        String trimmed = raw.trim();
        try {
            return switch (this) {
                case BOOLEAN -> parseBoolean(name, trimmed);
                case STRING, CLASS -> trimmed;
                case PASSWORD -> raw;
                case INT -> Integer.parseInt(trimmed);
                case SHORT -> Short.parseShort(trimmed);
                case LONG -> Long.parseLong(trimmed);
                case DOUBLE -> parseDouble(trimmed);
                case LIST -> parseList(trimmed);
            };
        } catch (NumberFormatException e) {
            throw new ConfigException(name, trimmed, "Not a number of type " + name());
        }
    }

    /** The text of a parsed value, as Kafka prints it; null stays null. */
    public String format(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add(String.valueOf(item));
            }
            return String.join(",", items);
        }
        return String.valueOf(value);
    }

    private static Boolean parseBoolean(String name, String trimmed) {
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return Boolean.TRUE;
        }
        if (lower.equals("false")) {
            return Boolean.FALSE;
        }
        throw new ConfigException(name, trimmed, "Expected value to be either true or false");
    }

    private static Double parseDouble(String trimmed) {
        // Double.parseDouble accepts "1d" and hexadecimal forms Kafka also accepts; NaN is not a useful setting.
        double value = Double.parseDouble(trimmed);
        if (Double.isNaN(value)) {
            throw new NumberFormatException(trimmed);
        }
        return value;
    }

    private static List<String> parseList(String trimmed) {
        if (trimmed.isEmpty()) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (String item : trimmed.split(",", -1)) {
            items.add(item.trim());
        }
        return List.copyOf(items);
    }
}
