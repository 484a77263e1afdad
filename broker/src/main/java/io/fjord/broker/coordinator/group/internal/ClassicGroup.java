package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.GroupMemberMetadata;
import io.fjord.broker.coordinator.group.records.GroupMetadataValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A classic-protocol group. Two parts: {@link #persisted()}, the last GroupMetadata record applied (changed only by
 * replaying records, so a new leader of the offsets partition rebuilds it), and the live rebalance state (members
 * waiting in JoinGroup or SyncGroup, pending member ids, the state machine), which lives only in memory as in
 * Kafka: after a change of coordinator the group restarts from the persisted part and clients rejoin.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ClassicGroup {
    public static final String CONSUMER_PROTOCOL_TYPE = "consumer";

    private final String groupId;
    private ClassicGroupState state = ClassicGroupState.EMPTY;
    private ClassicGroupState previousState = ClassicGroupState.EMPTY;
    private long currentStateTimestampMs = -1L;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private int generationId;
    private final LinkedHashMap<String, ClassicGroupMember> members = new LinkedHashMap<>();
    private final Set<String> pendingMembers = new LinkedHashSet<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingSyncMembers = new LinkedHashSet<>();
    private boolean newMemberAdded;
    private Set<String> subscribedTopics;
    private GroupMetadataValue persisted;

    public ClassicGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public ClassicGroupState state() {
        return state;
    }

    public boolean isInState(ClassicGroupState expected) {
        return state == expected;
    }

    public ClassicGroupState previousState() {
        return previousState;
    }

    void transitionTo(ClassicGroupState next, long nowMs) {
        previousState = state;
        state = next;
        currentStateTimestampMs = nowMs;
    }

    public long currentStateTimestampMs() {
        return currentStateTimestampMs;
    }

    public String protocolType() {
        return protocolType;
    }

    public String protocolName() {
        return protocolName;
    }

    public String leaderId() {
        return leaderId;
    }

    public boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    public int generationId() {
        return generationId;
    }

    public GroupMetadataValue persisted() {
        return persisted;
    }

    void setPersisted(GroupMetadataValue value) {
        this.persisted = value;
    }

    boolean newMemberAdded() {
        return newMemberAdded;
    }

    void setNewMemberAdded(boolean value) {
        this.newMemberAdded = value;
    }

    public Collection<ClassicGroupMember> members() {
        return members.values();
    }

    public int size() {
        return members.size();
    }

    public boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    public ClassicGroupMember member(String memberId) {
        return members.get(memberId);
    }

    /** The member id currently holding a static instance id, or null. */
    public String staticMemberId(String groupInstanceId) {
        return staticMembers.get(groupInstanceId);
    }

    public boolean isPendingMember(String memberId) {
        return pendingMembers.contains(memberId);
    }

    public boolean hasPendingMembers() {
        return !pendingMembers.isEmpty();
    }

    void addPendingMember(String memberId) {
        pendingMembers.add(memberId);
    }

    boolean removePendingMember(String memberId) {
        return pendingMembers.remove(memberId);
    }

    void add(ClassicGroupMember member) {
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        members.put(member.memberId(), member);
        pendingMembers.remove(member.memberId());
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    /** Removes a member (or a pending member id); a new leader is the first remaining member. */
    ClassicGroupMember remove(String memberId) {
        pendingMembers.remove(memberId);
        pendingSyncMembers.remove(memberId);
        ClassicGroupMember removed = members.remove(memberId);
        if (removed != null && removed.isStatic()) {
            staticMembers.remove(removed.groupInstanceId(), memberId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        return removed;
    }

    /** Gives a static member a new member id, keeping its place, leadership and pending sync. */
    void replaceStaticMemberId(ClassicGroupMember member, String newMemberId) {
        String oldMemberId = member.memberId();
        LinkedHashMap<String, ClassicGroupMember> reordered = new LinkedHashMap<>();
        for (Map.Entry<String, ClassicGroupMember> entry : members.entrySet()) {
            reordered.put(entry.getKey().equals(oldMemberId) ? newMemberId : entry.getKey(), entry.getValue());
        }
        members.clear();
        members.putAll(reordered);
        member.setMemberId(newMemberId);
        staticMembers.put(member.groupInstanceId(), newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
    }

    public int numAwaitingJoin() {
        int count = 0;
        for (ClassicGroupMember member : members.values()) {
            if (member.isAwaitingJoin()) {
                count++;
            }
        }
        return count;
    }

    boolean hasAllMembersJoined() {
        return members.size() == numAwaitingJoin() && pendingMembers.isEmpty();
    }

    /** The longest rebalance timeout of the members: how long a rebalance waits for them. */
    int rebalanceTimeoutMs() {
        int longest = 0;
        for (ClassicGroupMember member : members.values()) {
            longest = Math.max(longest, member.rebalanceTimeoutMs());
        }
        return longest;
    }

    /**
     * Whether a member with this protocol type and these protocols may join: the first member needs a type and
     * a protocol; later ones need the group's type and a protocol every member supports.
     */
    boolean supportsProtocols(String memberProtocolType, List<ClassicGroupMember.Protocol> memberProtocols) {
        if (isInState(ClassicGroupState.EMPTY) || members.isEmpty()) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (!java.util.Objects.equals(memberProtocolType, protocolType)) {
            return false;
        }
        for (ClassicGroupMember.Protocol protocol : memberProtocols) {
            if (supportedByAll(protocol.name())) {
                return true;
            }
        }
        return false;
    }

    private boolean supportedByAll(String protocol) {
        for (ClassicGroupMember member : members.values()) {
            if (!member.supports(protocol)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Kafka's vote: among the protocols all members support, each member votes for its most preferred; the most
     * votes win. Ties go to the protocol the first member prefers, so the choice is deterministic.
     */
    String selectProtocol() {
        ClassicGroupMember first = members.values().iterator().next();
        Set<String> candidates = new LinkedHashSet<>();
        for (ClassicGroupMember.Protocol protocol : first.protocols()) {
            if (supportedByAll(protocol.name())) {
                candidates.add(protocol.name());
            }
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (String candidate : candidates) {
            votes.put(candidate, 0);
        }
        for (ClassicGroupMember member : members.values()) {
            votes.merge(member.vote(candidates), 1, Integer::sum);
        }
        String winner = null;
        int most = -1;
        for (Map.Entry<String, Integer> entry : votes.entrySet()) {
            if (entry.getValue() > most) {
                winner = entry.getKey();
                most = entry.getValue();
            }
        }
        return winner;
    }

    /** Keeps the leader if it rejoined, else picks a member that did; false if none did. */
    boolean maybeElectNewJoinedLeader() {
        if (leaderId == null) {
            return false;
        }
        if (members.get(leaderId).isAwaitingJoin()) {
            return true;
        }
        for (ClassicGroupMember member : members.values()) {
            if (member.isAwaitingJoin()) {
                leaderId = member.memberId();
                return true;
            }
        }
        return false;
    }

    /** Ends the join phase: next generation, the voted protocol, CompletingRebalance (or Empty without members). */
    void initNextGeneration(long nowMs) {
        generationId++;
        pendingSyncMembers.clear();
        if (members.isEmpty()) {
            protocolName = null;
            transitionTo(ClassicGroupState.EMPTY, nowMs);
        } else {
            protocolName = selectProtocol();
            transitionTo(ClassicGroupState.COMPLETING_REBALANCE, nowMs);
        }
        subscribedTopics = computeSubscribedTopics();
    }

    void addPendingSyncMember(String memberId) {
        pendingSyncMembers.add(memberId);
    }

    void removePendingSyncMember(String memberId) {
        pendingSyncMembers.remove(memberId);
    }

    Set<String> pendingSyncMembers() {
        return pendingSyncMembers;
    }

    /**
     * The topics the members subscribe to, for consumer-protocol groups whose subscriptions parse; null when
     * unknown (offsets of a non-empty group then never expire, as in Kafka).
     */
    public Set<String> subscribedTopics() {
        return subscribedTopics;
    }

    public boolean isSubscribedToTopic(String topic) {
        return subscribedTopics != null && subscribedTopics.contains(topic);
    }

    public boolean usesConsumerProtocol() {
        return CONSUMER_PROTOCOL_TYPE.equals(protocolType);
    }

    private Set<String> computeSubscribedTopics() {
        if (!usesConsumerProtocol()) {
            return null;
        }
        Set<String> topics = new LinkedHashSet<>();
        for (ClassicGroupMember member : members.values()) {
            List<String> memberTopics = ConsumerSubscriptions.topics(member.metadata(protocolName));
            if (memberTopics == null) {
                return null;
            }
            topics.addAll(memberTopics);
        }
        return topics;
    }

    /**
     * Rebuilds the live state from the persisted record when the shard becomes active: Stable with the recorded
     * members, or Empty.
     */
    public void loadFromPersisted() {
        members.clear();
        pendingMembers.clear();
        staticMembers.clear();
        pendingSyncMembers.clear();
        if (persisted == null) {
            return;
        }
        protocolType = persisted.protocolType() == null || persisted.protocolType().isEmpty()
                ? null : persisted.protocolType();
        generationId = persisted.generation();
        protocolName = persisted.protocol();
        leaderId = null;
        for (GroupMemberMetadata recorded : persisted.members()) {
            List<ClassicGroupMember.Protocol> protocols = new ArrayList<>(1);
            protocols.add(new ClassicGroupMember.Protocol(protocolName == null ? "" : protocolName,
                    recorded.subscription() == null ? ClassicGroupMember.EMPTY_BYTES : recorded.subscription()));
            ClassicGroupMember member = new ClassicGroupMember(recorded.memberId(), recorded.groupInstanceId(),
                    recorded.clientId(), recorded.clientHost(),
                    recorded.rebalanceTimeoutMs() < 0 ? recorded.sessionTimeoutMs() : recorded.rebalanceTimeoutMs(),
                    recorded.sessionTimeoutMs(), protocolType, protocols);
            member.setAssignment(recorded.assignment());
            add(member);
        }
        leaderId = members.containsKey(persisted.leader()) ? persisted.leader() : leaderId;
        state = members.isEmpty() ? ClassicGroupState.EMPTY : ClassicGroupState.STABLE;
        previousState = state;
        currentStateTimestampMs = persisted.currentStateTimestampMs();
        subscribedTopics = computeSubscribedTopics();
    }
}
