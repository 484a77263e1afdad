package io.fjord.metadata.records;

/** The registration of a broker with this epoch is removed; Kafka's UnregisterBrokerRecord. Immutable. */
public record UnregisterBrokerRecord(int brokerId, long brokerEpoch) implements MetadataRecord {
    public static final short TYPE_ID = 1;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
