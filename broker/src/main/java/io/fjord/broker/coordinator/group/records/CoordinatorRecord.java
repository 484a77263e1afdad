package io.fjord.broker.coordinator.group.records;

/**
 * One record of {@code __consumer_offsets}: a key and a value, or a null value (a tombstone) that deletes what the
 * key names. Immutable.
 */
public record CoordinatorRecord(RecordKey key, RecordValue value) {
    public static CoordinatorRecord tombstone(RecordKey key) {
        return new CoordinatorRecord(key, null);
    }

    public boolean isTombstone() {
        return value == null;
    }
}
