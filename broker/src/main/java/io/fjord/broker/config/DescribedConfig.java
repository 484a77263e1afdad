package io.fjord.broker.config;

import java.util.List;

/**
 * One entry of a DescribeConfigs result. Immutable.
 *
 * @param name          the config name
 * @param value         the effective value; null for sensitive configs and for unset configs without a default
 * @param source        where the value comes from
 * @param readOnly      whether AlterConfigs cannot change it
 * @param sensitive     whether the value is a secret (then {@code value} is null)
 * @param type          the value type
 * @param synonyms      DescribeConfigs v1+ synonyms, highest precedence first (the entry itself included)
 * @param documentation a one-line description
 */
public record DescribedConfig(String name, String value, ConfigSource source, boolean readOnly, boolean sensitive,
                              ConfigType type, List<Synonym> synonyms, String documentation) {

    public DescribedConfig {
        synonyms = List.copyOf(synonyms);
    }

    /**
     * A place that sets a value for the entry. Immutable.
     *
     * @param name   the config name at that place (a topic config, or a broker config)
     * @param value  the value there, null when sensitive
     * @param source the place
     */
    public record Synonym(String name, String value, ConfigSource source) {
    }
}
