package io.fjord.broker.coordinator.group.records;

/** The key of a KIP-848 group's resolved subscription regular expression (type 16). Immutable. */
public record RegularExpressionKey(String groupId, String regularExpression) implements RecordKey {
    @Override
    public RecordType type() {
        return RecordType.CONSUMER_GROUP_REGULAR_EXPRESSION;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.string(groupId);
        writer.string(regularExpression);
    }
}
