package io.fjord.broker.coordinator.group.records;

/**
 * The key of a {@code __consumer_offsets} record. Its bytes are the type id (int16) and the key fields in the
 * non-flexible version 0 layout. Implementations are immutable.
 */
public interface RecordKey {
    RecordType type();

    /** The group the record belongs to, which also picks the offsets partition. */
    String groupId();

    /** Writes the key fields (without the type id). */
    void writeFields(RecordWriter writer);
}
