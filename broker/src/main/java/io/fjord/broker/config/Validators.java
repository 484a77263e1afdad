package io.fjord.broker.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The validators of Kafka's configuration definitions: ranges, enumerations, lists. All immutable and thread-safe. */
public final class Validators {
    private static final ConfigValidator ANY = new ConfigValidator() {
        @Override
        public void ensureValid(String name, Object value) {
        }

        @Override
        public String describe() {
            return "";
        }
    };

    private static final Pattern THROTTLED_REPLICA = Pattern.compile("\\d+:\\d+");

    private Validators() {
    }

    /** Any value of the type. */
    public static ConfigValidator any() {
        return ANY;
    }

    /** A number no smaller than {@code min}. */
    public static ConfigValidator atLeast(long min) {
        return range(min, null);
    }

    /** A number in {@code [min, max]}. */
    public static ConfigValidator between(long min, long max) {
        return range(min, max);
    }

    private static ConfigValidator range(long min, Long max) {
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                long number = ((Number) value).longValue();
                if (number < min) {
                    throw new ConfigException(name, value, "Value must be at least " + min);
                }
                if (max != null && number > max) {
                    throw new ConfigException(name, value, "Value must be no more than " + max);
                }
            }

            @Override
            public String describe() {
                return max == null ? "[" + min + ",...]" : "[" + min + ",...," + max + "]";
            }
        };
    }

    /** A floating-point number in {@code [min, max]}. */
    public static ConfigValidator betweenDecimal(double min, double max) {
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                double number = ((Number) value).doubleValue();
                if (number < min) {
                    throw new ConfigException(name, value, "Value must be at least " + min);
                }
                if (number > max) {
                    throw new ConfigException(name, value, "Value must be no more than " + max);
                }
            }

            @Override
            public String describe() {
                return "[" + min + ",...," + max + "]";
            }
        };
    }

    /** One of {@code allowed}, case-sensitive. */
    public static ConfigValidator oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (!values.contains(String.valueOf(value))) {
                    throw new ConfigException(name, value, "String must be one of: " + String.join(", ", values));
                }
            }

            @Override
            public String describe() {
                return values.toString();
            }
        };
    }

    /** A list without duplicates whose elements are all in {@code allowed}; the empty list only if permitted. */
    public static ConfigValidator listOf(boolean emptyAllowed, String... allowed) {
        List<String> values = List.of(allowed);
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                List<?> items = checkedList(name, value, emptyAllowed);
                for (Object item : items) {
                    if (!values.contains(String.valueOf(item))) {
                        throw new ConfigException(name, item, "String must be one of: " + String.join(", ", values));
                    }
                }
            }

            @Override
            public String describe() {
                return values.toString();
            }
        };
    }

    /** A list without duplicate or blank elements; the empty list only if permitted. */
    public static ConfigValidator nonDuplicateList(boolean emptyAllowed) {
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                checkedList(name, value, emptyAllowed);
            }

            @Override
            public String describe() {
                return emptyAllowed ? "" : "non-empty list";
            }
        };
    }

    private static List<?> checkedList(String name, Object value, boolean emptyAllowed) {
        List<?> items = (List<?>) value;
        if (items.isEmpty() && !emptyAllowed) {
            throw new ConfigException(name, "", "Empty list is not allowed");
        }
        Set<Object> seen = new HashSet<>();
        for (Object item : items) {
            if (String.valueOf(item).isEmpty()) {
                throw new ConfigException(name, String.join(",", items.stream().map(String::valueOf).toList()),
                        "Empty elements are not allowed");
            }
            if (!seen.add(item)) {
                throw new ConfigException(name, String.join(",", items.stream().map(String::valueOf).toList()),
                        "Duplicate value " + item + " is not allowed");
            }
        }
        return items;
    }

    /** A gzip level: 1 to 9, or -1 for the codec's default. */
    public static ConfigValidator gzipLevel() {
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                int level = ((Number) value).intValue();
                if (level != -1 && (level < 1 || level > 9)) {
                    throw new ConfigException(name, value, "Value must be between 1 and 9 or equal to -1");
                }
            }

            @Override
            public String describe() {
                return "[1,...,9] or -1";
            }
        };
    }

    /** {@code *}, or a list of {@code partition:brokerId} pairs: the replicas whose replication is throttled. */
    public static ConfigValidator throttledReplicas() {
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                List<?> items = (List<?>) value;
                boolean wildcard = items.size() == 1 && "*".equals(items.get(0));
                boolean pairs = items.stream().allMatch(item -> THROTTLED_REPLICA.matcher(String.valueOf(item))
                        .matches());
                if (!wildcard && !pairs) {
                    throw new ConfigException(name, String.join(",", items.stream().map(String::valueOf).toList()),
                            name + " must be the literal '*' or a list of replicas in the following format: "
                                    + "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
                }
            }

            @Override
            public String describe() {
                return "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
            }
        };
    }
}
