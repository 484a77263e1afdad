package io.fjord.broker.coordinator.group.records;

/**
 * A KIP-848 group's epoch and the hash of its subscribed topics' metadata (tagged field 0, KIP-1101). Version 0,
 * flexible. Immutable.
 */
public record ConsumerGroupMetadataValue(int epoch, long metadataHash) implements RecordValue {
    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.int32(epoch);
        writer.optionalTaggedInt64(0, metadataHash);
    }

    static ConsumerGroupMetadataValue read(RecordReader reader) {
        int epoch = reader.int32();
        long hash = reader.taggedInt64(0);
        return new ConsumerGroupMetadataValue(epoch, hash);
    }
}
