package io.fjord.metadata.quota;

import java.util.Map;

/**
 * Kafka's client quota keys ({@code QuotaConfig}) with the type of their values: what {@code kafka-configs
 * --add-config} may set on a user or client-id entity, and on an ip entity. Stateless.
 */
public final class ClientQuotaKeys {
    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
    public static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    /** The type of a quota's value, as Kafka's ConfigDef types them; integral types refuse a fractional part. */
    public enum ValueType {
        INT(Integer.MAX_VALUE),
        LONG(Long.MAX_VALUE),
        DOUBLE(Double.MAX_VALUE);

        private final double largest;

        ValueType(double largest) {
            this.largest = largest;
        }

        /** The largest value the type holds. */
        public double largest() {
            return largest;
        }
    }

    /** The keys of user and client-id entities. */
    public static final Map<String, ValueType> USER_AND_CLIENT_KEYS = Map.of(PRODUCER_BYTE_RATE, ValueType.LONG,
            CONSUMER_BYTE_RATE, ValueType.LONG, REQUEST_PERCENTAGE, ValueType.DOUBLE, CONTROLLER_MUTATION_RATE,
            ValueType.DOUBLE);
    /** The keys of ip entities. */
    public static final Map<String, ValueType> IP_KEYS = Map.of(CONNECTION_CREATION_RATE, ValueType.INT);

    private ClientQuotaKeys() {
    }
}
