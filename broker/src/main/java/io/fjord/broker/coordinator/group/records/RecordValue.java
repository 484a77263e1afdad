package io.fjord.broker.coordinator.group.records;

/**
 * The value of a {@code __consumer_offsets} record. Its bytes are the version (int16) and the fields in that
 * version's layout. A null value (a tombstone) deletes the key. Implementations are immutable.
 */
public interface RecordValue {
    /** The version written; Fjord writes the versions Kafka 4.x writes. */
    short version();

    /** Writes the fields (without the version) in {@link #version()}'s layout. */
    void writeFields(RecordWriter writer);
}
