package io.fjord.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads typed values out of a {@code server.properties}-style map, with a default when the key is absent and an
 * {@link IllegalArgumentException} naming the key when the value is malformed or out of range. Values are trimmed, as
 * Kafka does. Immutable and thread-safe (the map is read only).
 */
public final class ConfigValues {
    private final Map<String, String> values;

    public ConfigValues(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public boolean isSet(String key) {
        String value = values.get(key);
        return value != null && !value.trim().isEmpty();
    }

    /** The trimmed value, or {@code defaultValue} when absent or blank. */
    public String string(String key, String defaultValue) {
        return isSet(key) ? values.get(key).trim() : defaultValue;
    }

    public long longValue(String key, long defaultValue, long min) {
        long value;
        if (!isSet(key)) {
            value = defaultValue;
        } else {
            try {
                value = Long.parseLong(values.get(key).trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "not a long");
            }
        }
        if (value < min) {
            throw invalid(key, "must be at least " + min);
        }
        return value;
    }

    public int intValue(String key, int defaultValue, int min) {
        long value = longValue(key, defaultValue, min);
        if (value > Integer.MAX_VALUE) {
            throw invalid(key, "must be at most " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    public double doubleValue(String key, double defaultValue, double min, double max) {
        double value;
        if (!isSet(key)) {
            value = defaultValue;
        } else {
            try {
                value = Double.parseDouble(values.get(key).trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "not a number");
            }
        }
        if (!(value >= min && value <= max)) {
            throw invalid(key, "must lie in [" + min + ", " + max + "]");
        }
        return value;
    }

    public boolean booleanValue(String key, boolean defaultValue) {
        if (!isSet(key)) {
            return defaultValue;
        }
        String value = values.get(key).trim();
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(key, "must be true or false");
    }

    /** A comma-separated list without blank elements; {@code defaultValue} when absent. */
    public List<String> list(String key, List<String> defaultValue) {
        if (!isSet(key)) {
            return defaultValue;
        }
        List<String> items = new ArrayList<>();
        for (String item : values.get(key).split(",")) {
            if (!item.trim().isEmpty()) {
                items.add(item.trim());
            }
        }
        if (items.isEmpty()) {
            throw invalid(key, "must name at least one element");
        }
        return items;
    }

    /** {@code amount * unitMs}, failing with the key's name instead of overflowing. */
    public long times(String key, long amount, long unitMs) {
        try {
            return Math.multiplyExact(amount, unitMs);
        } catch (ArithmeticException e) {
            throw invalid(key, "is too large");
        }
    }

    /** An exception naming {@code key} and its raw value. */
    public IllegalArgumentException invalid(String key, String reason) {
        return new IllegalArgumentException("Invalid value " + values.get(key) + " for configuration " + key + ": "
                + reason);
    }
}
