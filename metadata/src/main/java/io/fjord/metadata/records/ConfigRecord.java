package io.fjord.metadata.records;

/**
 * A configuration override of a topic, a broker or a group is set ({@code value} non-null) or removed ({@code value}
 * null). Immutable.
 *
 * @param resourceType Kafka's ConfigResource type: 2 for a topic, 4 for a broker, 32 for a group
 * @param resourceName the topic name, the broker id as a string (empty for the cluster-wide broker default), or the
 *                     group id
 */
public record ConfigRecord(byte resourceType, String resourceName, String name, String value)
        implements MetadataRecord {
    public static final short TYPE_ID = 4;
    public static final byte TOPIC = 2;
    public static final byte BROKER = 4;
    public static final byte GROUP = 32;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
