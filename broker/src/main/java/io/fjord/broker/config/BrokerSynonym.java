package io.fjord.broker.config;

/**
 * A broker configuration that supplies the default of a topic configuration (Kafka's "Server Default Property"),
 * with the factor that turns its unit into the topic config's (e.g. 3,600,000 for {@code log.retention.hours} to
 * {@code retention.ms}). Immutable.
 *
 * @param brokerConfigName  the broker configuration
 * @param millisecondsPerUnit 1 when the units agree
 */
public record BrokerSynonym(String brokerConfigName, long millisecondsPerUnit) {
    static final long MINUTE_MS = 60_000L;
    static final long HOUR_MS = 3_600_000L;

    static BrokerSynonym same(String brokerConfigName) {
        return new BrokerSynonym(brokerConfigName, 1);
    }
}
