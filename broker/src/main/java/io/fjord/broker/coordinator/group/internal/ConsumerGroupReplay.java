package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.ConsumerGroupCurrentMemberAssignmentValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupMemberMetadataValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupMetadataValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupRegularExpressionValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupTargetAssignmentMemberValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupTargetAssignmentMetadataValue;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.MemberKey;
import io.fjord.broker.coordinator.group.records.RegularExpressionKey;

/**
 * Applies the KIP-848 records to the {@link GroupStore}: a value creates the group if needed, a tombstone of the
 * group epoch record (ConsumerGroupMetadata) removes it, as in Kafka; tombstones for a group that is gone are no-ops.
 *
 * <p>Stateless; called on the shard's thread.
 */
final class ConsumerGroupReplay {
    private ConsumerGroupReplay() {
    }

    static void replay(GroupStore store, CoordinatorRecord record) {
        boolean create = record.value() != null;
        if (record.key() instanceof GroupKey key) {
            ConsumerGroup group = store.consumerGroupForReplay(key.groupId(), create);
            switch (key.type()) {
                case CONSUMER_GROUP_METADATA -> {
                    if (record.value() == null) {
                        store.removeConsumerGroup(key.groupId());
                    } else {
                        group.replayMetadata((ConsumerGroupMetadataValue) record.value());
                    }
                }
                case CONSUMER_GROUP_PARTITION_METADATA -> {
                    if (group != null) {
                        group.replayLegacyPartitionMetadata(record.value() != null);
                    }
                }
                case CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA -> {
                    if (group != null) {
                        group.replayTargetAssignmentMetadata(
                                (ConsumerGroupTargetAssignmentMetadataValue) record.value());
                    }
                }
                default -> throw new IllegalArgumentException("not a consumer group record: " + key.type());
            }
        } else if (record.key() instanceof MemberKey key) {
            ConsumerGroup group = store.consumerGroupForReplay(key.groupId(), create);
            if (group == null) {
                return;
            }
            switch (key.type()) {
                case CONSUMER_GROUP_MEMBER_METADATA -> group.replayMemberMetadata(key.memberId(),
                        (ConsumerGroupMemberMetadataValue) record.value());
                case CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT -> group.replayCurrentAssignment(key.memberId(),
                        (ConsumerGroupCurrentMemberAssignmentValue) record.value());
                case CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER -> group.replayTargetAssignment(key.memberId(),
                        (ConsumerGroupTargetAssignmentMemberValue) record.value());
                default -> throw new IllegalArgumentException("not a member record: " + key.type());
            }
        } else if (record.key() instanceof RegularExpressionKey key) {
            ConsumerGroup group = store.consumerGroupForReplay(key.groupId(), create);
            if (group != null) {
                group.replayRegex(key.regularExpression(), (ConsumerGroupRegularExpressionValue) record.value());
            }
        }
    }
}
