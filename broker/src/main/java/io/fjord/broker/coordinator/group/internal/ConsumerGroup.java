package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.ConsumerGroupCurrentMemberAssignmentValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupMemberMetadataValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupMetadataValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupRegularExpressionValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupTargetAssignmentMemberValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupTargetAssignmentMetadataValue;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A KIP-848 consumer group, all of it durable: it changes only by replaying its records (group epoch and metadata
 * hash; members' subscriptions and current assignments; the target assignment and its epoch; resolved regular
 * expressions), so a new coordinator rebuilds exactly this state. Also kept, derived from the members: which
 * member owns each partition (assigned or pending revocation), which refuses a second owner, and the static
 * members by instance id.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ConsumerGroup {
    private final String groupId;
    private int groupEpoch;
    private long metadataHash;
    private int targetAssignmentEpoch;
    private long targetAssignmentTimestampMs;
    private final TreeMap<String, ConsumerGroupMember> members = new TreeMap<>();
    private final TreeMap<String, SortedMap<UUID, SortedSet<Integer>>> targetAssignment = new TreeMap<>();
    private final TreeMap<String, ConsumerGroupRegularExpressionValue> resolvedRegexes = new TreeMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Map<UUID, Map<Integer, String>> partitionOwners = new HashMap<>();
    private boolean hasLegacyPartitionMetadata;

    ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    public long metadataHash() {
        return metadataHash;
    }

    public int targetAssignmentEpoch() {
        return targetAssignmentEpoch;
    }

    public long targetAssignmentTimestampMs() {
        return targetAssignmentTimestampMs;
    }

    public Collection<ConsumerGroupMember> members() {
        return Collections.unmodifiableCollection(members.values());
    }

    public ConsumerGroupMember member(String memberId) {
        return members.get(memberId);
    }

    public int size() {
        return members.size();
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    /** The member id of the static member with this instance id, or null. */
    public String staticMemberId(String instanceId) {
        return staticMembers.get(instanceId);
    }

    /** The member's target assignment (empty when it has none). */
    public SortedMap<UUID, SortedSet<Integer>> targetAssignment(String memberId) {
        return targetAssignment.getOrDefault(memberId, Partitions.NONE);
    }

    public Map<String, SortedMap<UUID, SortedSet<Integer>>> targetAssignments() {
        return Collections.unmodifiableMap(targetAssignment);
    }

    public Map<String, ConsumerGroupRegularExpressionValue> resolvedRegexes() {
        return Collections.unmodifiableMap(resolvedRegexes);
    }

    boolean hasLegacyPartitionMetadata() {
        return hasLegacyPartitionMetadata;
    }

    /** The member owning the partition (assigned or pending revocation), or null when it is free. */
    public String owner(UUID topicId, int partition) {
        Map<Integer, String> owners = partitionOwners.get(topicId);
        return owners == null ? null : owners.get(partition);
    }

    public ConsumerGroupState state() {
        if (members.isEmpty()) {
            return ConsumerGroupState.EMPTY;
        }
        if (groupEpoch > targetAssignmentEpoch) {
            return ConsumerGroupState.ASSIGNING;
        }
        for (ConsumerGroupMember member : members.values()) {
            if (member.memberEpoch() != targetAssignmentEpoch || member.state() != ConsumerMemberState.STABLE) {
                return ConsumerGroupState.RECONCILING;
            }
        }
        return ConsumerGroupState.STABLE;
    }

    /**
     * The topics some member subscribes to, by name or through a resolved regular expression, with how many
     * members do.
     */
    public SortedMap<String, Integer> subscribedTopicNames() {
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (ConsumerGroupMember member : members.values()) {
            for (String topic : memberTopics(member)) {
                counts.merge(topic, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The member's topics: its names and what its regular expression resolved to. */
    SortedSet<String> memberTopics(ConsumerGroupMember member) {
        SortedSet<String> topics = new TreeSet<>(member.subscribedTopicNames());
        if (member.subscribedTopicRegex() != null) {
            ConsumerGroupRegularExpressionValue resolved = resolvedRegexes.get(member.subscribedTopicRegex());
            if (resolved != null) {
                topics.addAll(resolved.topics());
            }
        }
        return topics;
    }

    public boolean isSubscribedToTopic(String topic) {
        for (ConsumerGroupMember member : members.values()) {
            if (memberTopics(member).contains(topic)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some member still subscribes with this regular expression. */
    boolean isRegexUsed(String regex) {
        for (ConsumerGroupMember member : members.values()) {
            if (regex.equals(member.subscribedTopicRegex())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The assignor the group uses: the one most members name (ties go to the earlier in {@code configured}), or
     * the configured default when none names one.
     */
    public String preferredAssignor(List<String> configured) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerGroupMember member : members.values()) {
            if (member.serverAssignor() != null) {
                counts.merge(member.serverAssignor(), 1, Integer::sum);
            }
        }
        String best = configured.get(0);
        int bestCount = 0;
        for (String name : configured) {
            int count = counts.getOrDefault(name, 0);
            if (count > bestCount) {
                best = name;
                bestCount = count;
            }
        }
        return best;
    }

    // Replay: the only mutators.

    void replayMetadata(ConsumerGroupMetadataValue value) {
        groupEpoch = value.epoch();
        metadataHash = value.metadataHash();
    }

    void replayLegacyPartitionMetadata(boolean present) {
        hasLegacyPartitionMetadata = present;
    }

    void replayMemberMetadata(String memberId, ConsumerGroupMemberMetadataValue value) {
        ConsumerGroupMember previous = members.get(memberId);
        if (value == null) {
            if (previous != null) {
                setOwnership(previous, null);
                members.remove(memberId);
                if (previous.instanceId() != null && memberId.equals(staticMembers.get(previous.instanceId()))) {
                    staticMembers.remove(previous.instanceId());
                }
            }
            return;
        }
        ConsumerGroupMember base = previous == null ? ConsumerGroupMember.newMember(memberId) : previous;
        ConsumerGroupMember updated = base.withMetadata(value);
        if (previous != null && previous.instanceId() != null
                && !previous.instanceId().equals(updated.instanceId())) {
            staticMembers.remove(previous.instanceId());
        }
        if (updated.instanceId() != null) {
            staticMembers.put(updated.instanceId(), memberId);
        }
        members.put(memberId, updated);
    }

    void replayCurrentAssignment(String memberId, ConsumerGroupCurrentMemberAssignmentValue value) {
        ConsumerGroupMember previous = members.get(memberId);
        if (previous == null) {
            if (value == null) {
                return;
            }
            previous = ConsumerGroupMember.newMember(memberId);
        }
        ConsumerGroupMember updated = value == null
                ? previous.withAssignment(-1, -1, ConsumerMemberState.UNKNOWN, Map.of(), Map.of())
                : previous.withAssignment(value);
        setOwnership(previous, updated);
        members.put(memberId, updated);
    }

    void replayTargetAssignment(String memberId, ConsumerGroupTargetAssignmentMemberValue value) {
        if (value == null) {
            targetAssignment.remove(memberId);
        } else {
            targetAssignment.put(memberId, Partitions.fromRecord(value.topicPartitions()));
        }
    }

    void replayTargetAssignmentMetadata(ConsumerGroupTargetAssignmentMetadataValue value) {
        if (value == null) {
            targetAssignmentEpoch = 0;
            targetAssignmentTimestampMs = 0L;
        } else {
            targetAssignmentEpoch = value.assignmentEpoch();
            targetAssignmentTimestampMs = value.assignmentTimestampMs();
        }
    }

    void replayRegex(String regex, ConsumerGroupRegularExpressionValue value) {
        if (value == null) {
            resolvedRegexes.remove(regex);
        } else {
            resolvedRegexes.put(regex, value);
        }
    }

    /** Moves ownership from {@code previous}'s partitions to {@code updated}'s (null: the member is gone). */
    private void setOwnership(ConsumerGroupMember previous, ConsumerGroupMember updated) {
        release(previous.assigned(), previous.memberId());
        release(previous.pendingRevocation(), previous.memberId());
        if (updated != null) {
            claim(updated.assigned(), updated.memberId());
            claim(updated.pendingRevocation(), updated.memberId());
        }
    }

    private void release(Map<UUID, ? extends Map<Integer, Integer>> partitions, String memberId) {
        partitions.forEach((topicId, epochs) -> {
            Map<Integer, String> owners = partitionOwners.get(topicId);
            if (owners == null) {
                return;
            }
            for (int partition : epochs.keySet()) {
                owners.remove(partition, memberId);
            }
            if (owners.isEmpty()) {
                partitionOwners.remove(topicId);
            }
        });
    }

    private void claim(Map<UUID, ? extends Map<Integer, Integer>> partitions, String memberId) {
        partitions.forEach((topicId, epochs) -> {
            Map<Integer, String> owners = partitionOwners.computeIfAbsent(topicId, id -> new HashMap<>());
            for (int partition : epochs.keySet()) {
                String existing = owners.putIfAbsent(partition, memberId);
                if (existing != null && !existing.equals(memberId)) {
                    throw new IllegalStateException("group " + groupId + ": partition " + topicId + "-" + partition
                            + " of " + memberId + " is still owned by " + existing);
                }
            }
        });
    }

    /** Everything durable, for comparing two replicas of the group (tests, diagnostics). Immutable. */
    public record Snapshot(int groupEpoch, long metadataHash, int targetAssignmentEpoch,
            long targetAssignmentTimestampMs, Map<String, ConsumerGroupMember> members,
            Map<String, SortedMap<UUID, SortedSet<Integer>>> targetAssignment,
            Map<String, ConsumerGroupRegularExpressionValue> resolvedRegexes) {
    }

    public Snapshot snapshot() {
        return new Snapshot(groupEpoch, metadataHash, targetAssignmentEpoch, targetAssignmentTimestampMs,
                Map.copyOf(members), Map.copyOf(targetAssignment), Map.copyOf(resolvedRegexes));
    }
}
