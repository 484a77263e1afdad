package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.ConsumerGroupCurrentMemberAssignmentValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupMemberMetadataValue;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;

/**
 * One member of a KIP-848 group: its identity and subscription (a ConsumerGroupMemberMetadata record) and its
 * current assignment (a ConsumerGroupCurrentMemberAssignment record): epochs, reconciliation state, the partitions
 * it owns with the epoch each was assigned at, and those it must revoke (still owned until it says it let them go).
 * A member with no assignment record yet is at epoch 0. Immutable: changes make new members.
 *
 * @param subscribedTopicRegex null when the member subscribes by names only
 * @param serverAssignor null when the member leaves the choice to the group
 */
public record ConsumerGroupMember(String memberId, String instanceId, String rackId, String clientId,
        String clientHost, List<String> subscribedTopicNames, String subscribedTopicRegex, int rebalanceTimeoutMs,
        String serverAssignor, int memberEpoch, int previousMemberEpoch, ConsumerMemberState state,
        SortedMap<UUID, SortedMap<Integer, Integer>> assigned,
        SortedMap<UUID, SortedMap<Integer, Integer>> pendingRevocation) {

    public ConsumerGroupMember {
        subscribedTopicNames = List.copyOf(subscribedTopicNames);
        assigned = Partitions.freezeEpochs(assigned);
        pendingRevocation = Partitions.freezeEpochs(pendingRevocation);
    }

    /** A member known only by its id: epoch 0, nothing subscribed or owned. */
    static ConsumerGroupMember newMember(String memberId) {
        return new ConsumerGroupMember(memberId, null, null, "", "", List.of(), null, -1, null, 0, -1,
                ConsumerMemberState.STABLE, Partitions.freezeEpochs(java.util.Map.of()),
                Partitions.freezeEpochs(java.util.Map.of()));
    }

    /** The partitions the member may use, without their epochs. */
    public SortedMap<UUID, SortedSet<Integer>> assignedPartitions() {
        return Partitions.keys(assigned);
    }

    public SortedMap<UUID, SortedSet<Integer>> partitionsPendingRevocation() {
        return Partitions.keys(pendingRevocation);
    }

    public boolean isStatic() {
        return instanceId != null;
    }

    ConsumerGroupMember withMetadata(ConsumerGroupMemberMetadataValue value) {
        return new ConsumerGroupMember(memberId, value.instanceId(), value.rackId(), value.clientId(),
                value.clientHost(), value.subscribedTopicNames(), value.subscribedTopicRegex(),
                value.rebalanceTimeoutMs(), value.serverAssignor(), memberEpoch, previousMemberEpoch, state, assigned,
                pendingRevocation);
    }

    ConsumerGroupMember withSubscription(String newInstanceId, String newRackId, String newClientId,
            String newClientHost, List<String> topicNames, String regex, int newRebalanceTimeoutMs,
            String newServerAssignor) {
        return new ConsumerGroupMember(memberId, newInstanceId, newRackId, newClientId, newClientHost, topicNames,
                regex, newRebalanceTimeoutMs, newServerAssignor, memberEpoch, previousMemberEpoch, state, assigned,
                pendingRevocation);
    }

    ConsumerGroupMember withAssignment(int newMemberEpoch, int newPreviousMemberEpoch, ConsumerMemberState newState,
            java.util.Map<UUID, ? extends java.util.Map<Integer, Integer>> newAssigned,
            java.util.Map<UUID, ? extends java.util.Map<Integer, Integer>> newPending) {
        return new ConsumerGroupMember(memberId, instanceId, rackId, clientId, clientHost, subscribedTopicNames,
                subscribedTopicRegex, rebalanceTimeoutMs, serverAssignor, newMemberEpoch, newPreviousMemberEpoch,
                newState, Partitions.freezeEpochs(newAssigned), Partitions.freezeEpochs(newPending));
    }

    ConsumerGroupMember withAssignment(ConsumerGroupCurrentMemberAssignmentValue value) {
        return withAssignment(value.memberEpoch(), value.previousMemberEpoch(),
                ConsumerMemberState.forValue(value.state()),
                Partitions.fromRecordWithEpochs(value.assignedPartitions(), value.memberEpoch()),
                Partitions.fromRecordWithEpochs(value.partitionsPendingRevocation(), value.memberEpoch()));
    }

    /** The same member under another id (a static member replaced by its new incarnation). */
    ConsumerGroupMember withMemberId(String newMemberId) {
        return new ConsumerGroupMember(newMemberId, instanceId, rackId, clientId, clientHost, subscribedTopicNames,
                subscribedTopicRegex, rebalanceTimeoutMs, serverAssignor, memberEpoch, previousMemberEpoch, state,
                assigned, pendingRevocation);
    }

    ConsumerGroupMemberMetadataValue toMetadataValue() {
        return new ConsumerGroupMemberMetadataValue(instanceId, rackId, clientId, clientHost, subscribedTopicNames,
                subscribedTopicRegex, rebalanceTimeoutMs, serverAssignor, null);
    }

    ConsumerGroupCurrentMemberAssignmentValue toAssignmentValue() {
        return new ConsumerGroupCurrentMemberAssignmentValue(memberEpoch, previousMemberEpoch, state.value(),
                Partitions.toRecordWithEpochs(assigned), Partitions.toRecordWithEpochs(pendingRevocation));
    }

    /** Whether the subscription-related fields differ (which bumps the group epoch). */
    boolean subscriptionDiffers(ConsumerGroupMember other) {
        return !new java.util.TreeSet<>(subscribedTopicNames).equals(new java.util.TreeSet<>(other.subscribedTopicNames))
                || !java.util.Objects.equals(subscribedTopicRegex, other.subscribedTopicRegex)
                || !java.util.Objects.equals(serverAssignor, other.serverAssignor)
                || !java.util.Objects.equals(rackId, other.rackId);
    }
}
