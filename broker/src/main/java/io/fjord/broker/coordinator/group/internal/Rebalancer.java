package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.GroupMemberMetadata;
import io.fjord.broker.coordinator.group.records.GroupMetadataValue;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.SyncGroupResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The classic protocol's rebalance mechanics shared by the handlers and the timers: entering PreparingRebalance,
 * the initial-rebalance delay, completing the join phase (next generation, protocol vote, join responses, the
 * leader gets the members), heartbeat and pending-sync deadlines, removing members, handing out assignments, and
 * persisting the group as a GroupMetadata record. Kafka's rules, step for step.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class Rebalancer {
    private final GroupCoordinatorConfig config;
    private final GroupStore store;
    private final Timers timers;

    public Rebalancer(GroupCoordinatorConfig config, GroupStore store, Timers timers) {
        this.config = config;
        this.store = store;
        this.timers = timers;
    }

    static String heartbeatKey(String groupId, String memberId) {
        return "heartbeat\u0000" + groupId + "\u0000" + memberId;
    }

    private static String joinKey(String groupId) {
        return "join\u0000" + groupId;
    }

    private static String syncKey(String groupId) {
        return "sync\u0000" + groupId;
    }

    /** Starts a rebalance when the group can, else checks whether the ongoing join phase is complete. */
    void maybePrepareRebalanceOrCompleteJoin(ClassicGroup group, Effects effects) {
        if (group.isInState(ClassicGroupState.STABLE) || group.isInState(ClassicGroupState.COMPLETING_REBALANCE)
                || group.isInState(ClassicGroupState.EMPTY)) {
            prepareRebalance(group, effects);
        } else {
            maybeCompleteJoinPhase(group, effects);
        }
    }

    void prepareRebalance(ClassicGroup group, Effects effects) {
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            // Members waiting in SyncGroup must rejoin.
            resetAndPropagateAssignmentWithError(group, Errors.REBALANCE_IN_PROGRESS, effects);
        }
        timers.cancel(syncKey(group.groupId()));
        boolean initialRebalance = group.isInState(ClassicGroupState.EMPTY);
        String groupId = group.groupId();
        if (initialRebalance) {
            // A new group waits group.initial.rebalance.delay.ms for more members, extended while members keep
            // arriving, but never past the rebalance timeout.
            int delayMs = config.groupInitialRebalanceDelayMs();
            long remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
            group.setNewMemberAdded(false);
            scheduleInitialJoin(groupId, delayMs, remainingMs, effects.nowMs());
        } else {
            timers.schedule(joinKey(groupId), effects.nowMs() + group.rebalanceTimeoutMs(),
                    later -> completeJoinIfPresent(groupId, later));
        }
        group.transitionTo(ClassicGroupState.PREPARING_REBALANCE, effects.nowMs());
        if (!initialRebalance) {
            maybeCompleteJoinPhase(group, effects);
        }
    }

    private void scheduleInitialJoin(String groupId, long delayMs, long remainingMs, long nowMs) {
        timers.schedule(joinKey(groupId), nowMs + delayMs, later -> {
            ClassicGroup group = store.group(groupId);
            if (group == null) {
                return;
            }
            if (group.newMemberAdded() && remainingMs != 0) {
                group.setNewMemberAdded(false);
                long nextDelayMs = Math.min(config.groupInitialRebalanceDelayMs(), remainingMs);
                long nextRemainingMs = Math.max(remainingMs - delayMs, 0);
                scheduleInitialJoin(groupId, nextDelayMs, nextRemainingMs, later.nowMs());
            } else {
                completeJoin(group, later);
            }
        });
    }

    private void completeJoinIfPresent(String groupId, Effects effects) {
        ClassicGroup group = store.group(groupId);
        if (group != null) {
            completeJoin(group, effects);
        }
    }

    /** Completes the join phase once every member rejoined, except during the initial delay. */
    void maybeCompleteJoinPhase(ClassicGroup group, Effects effects) {
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && group.previousState() != ClassicGroupState.EMPTY) {
            completeJoin(group, effects);
        }
    }

    void completeJoin(ClassicGroup group, Effects effects) {
        timers.cancel(joinKey(group.groupId()));
        if (!group.isInState(ClassicGroupState.PREPARING_REBALANCE)) {
            return;
        }
        // Dynamic members that did not rejoin are gone; static members keep their place.
        for (ClassicGroupMember member : new ArrayList<>(group.members())) {
            if (!member.isAwaitingJoin() && !member.isStatic()) {
                group.remove(member.memberId());
                timers.cancel(heartbeatKey(group.groupId(), member.memberId()));
                replyPendingSync(group, member, Errors.UNKNOWN_MEMBER_ID, effects);
            }
        }
        if (!group.maybeElectNewJoinedLeader() && group.size() > 0) {
            // Nobody rejoined: wait another rebalance timeout for the session timeouts to remove the members.
            String groupId = group.groupId();
            timers.schedule(joinKey(groupId), effects.nowMs() + group.rebalanceTimeoutMs(),
                    later -> completeJoinIfPresent(groupId, later));
            return;
        }
        group.initNextGeneration(effects.nowMs());
        if (group.isInState(ClassicGroupState.EMPTY)) {
            persist(group, Map.of(), effects);
            return;
        }
        for (ClassicGroupMember member : group.members()) {
            boolean leader = group.isLeader(member.memberId());
            JoinGroupResponseData response = new JoinGroupResponseData()
                    .setMemberId(member.memberId())
                    .setGenerationId(group.generationId())
                    .setProtocolType(group.protocolType())
                    .setProtocolName(group.protocolName())
                    .setLeader(group.leaderId())
                    .setMembers(leader ? memberMetadata(group) : new ArrayList<>());
            replyJoin(member, response, effects);
            member.setNew(false);
            scheduleHeartbeat(group, member, member.sessionTimeoutMs(), effects.nowMs());
            group.addPendingSyncMember(member.memberId());
        }
        schedulePendingSync(group, effects.nowMs());
    }

    /** The members and their metadata for the selected protocol, as the leader receives them. */
    List<JoinGroupResponseData.JoinGroupResponseMember> memberMetadata(ClassicGroup group) {
        List<JoinGroupResponseData.JoinGroupResponseMember> list = new ArrayList<>(group.size());
        for (ClassicGroupMember member : group.members()) {
            list.add(new JoinGroupResponseData.JoinGroupResponseMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setMetadata(member.metadata(group.protocolName())));
        }
        return list;
    }

    private void schedulePendingSync(ClassicGroup group, long nowMs) {
        String groupId = group.groupId();
        int generationId = group.generationId();
        timers.schedule(syncKey(groupId), nowMs + group.rebalanceTimeoutMs(), effects -> {
            ClassicGroup current = store.group(groupId);
            if (current == null || current.generationId() != generationId
                    || !(current.isInState(ClassicGroupState.COMPLETING_REBALANCE)
                    || current.isInState(ClassicGroupState.STABLE))
                    || current.pendingSyncMembers().isEmpty()) {
                return;
            }
            // Members that never sent SyncGroup within the rebalance timeout are removed.
            for (String memberId : new ArrayList<>(current.pendingSyncMembers())) {
                ClassicGroupMember removed = current.remove(memberId);
                timers.cancel(heartbeatKey(groupId, memberId));
                if (removed != null) {
                    replyPendingSync(current, removed, Errors.UNKNOWN_MEMBER_ID, effects);
                }
            }
            prepareRebalance(current, effects);
        });
    }

    void scheduleHeartbeat(ClassicGroup group, ClassicGroupMember member, long delayMs, long nowMs) {
        String groupId = group.groupId();
        String memberId = member.memberId();
        timers.schedule(heartbeatKey(groupId, memberId), nowMs + delayMs,
                effects -> onHeartbeatExpired(groupId, memberId, effects));
    }

    /** Gives every member a full session from now (a group just loaded). */
    public void scheduleSessionDeadlines(ClassicGroup group, long nowMs) {
        for (ClassicGroupMember member : group.members()) {
            scheduleHeartbeat(group, member, member.sessionTimeoutMs(), nowMs);
        }
    }

    void cancelHeartbeat(ClassicGroup group, String memberId) {
        timers.cancel(heartbeatKey(group.groupId(), memberId));
    }

    void schedulePendingMemberExpiry(ClassicGroup group, String memberId, long delayMs, long nowMs) {
        String groupId = group.groupId();
        timers.schedule(heartbeatKey(groupId, memberId), nowMs + delayMs, effects -> {
            ClassicGroup current = store.group(groupId);
            if (current != null && current.removePendingMember(memberId)) {
                maybeCompleteJoinPhase(current, effects);
            }
        });
    }

    private void onHeartbeatExpired(String groupId, String memberId, Effects effects) {
        ClassicGroup group = store.group(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return;
        }
        if (group.isPendingMember(memberId)) {
            group.removePendingMember(memberId);
            maybeCompleteJoinPhase(group, effects);
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        if (member != null && !member.hasSatisfiedHeartbeat()) {
            removeMemberAndUpdateGroup(group, member, effects);
        }
    }

    /** Removes a member (its waiting JoinGroup gets UNKNOWN_MEMBER_ID) and moves the group on. */
    void removeMemberAndUpdateGroup(ClassicGroup group, ClassicGroupMember member, Effects effects) {
        removeMember(group, member, effects);
        updateGroupAfterRemoval(group, effects);
    }

    void removeMember(ClassicGroup group, ClassicGroupMember member, Effects effects) {
        if (member.isAwaitingJoin()) {
            replyJoin(member, joinError("", Errors.UNKNOWN_MEMBER_ID), effects);
        }
        replyPendingSync(group, member, Errors.UNKNOWN_MEMBER_ID, effects);
        group.remove(member.memberId());
        timers.cancel(heartbeatKey(group.groupId(), member.memberId()));
    }

    void updateGroupAfterRemoval(ClassicGroup group, Effects effects) {
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, effects);
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group, effects);
            default -> {
            }
        }
    }

    /** Clears every assignment and answers the waiting SyncGroup requests with {@code error}. */
    void resetAndPropagateAssignmentWithError(ClassicGroup group, Errors error, Effects effects) {
        for (ClassicGroupMember member : group.members()) {
            member.setAssignment(ClassicGroupMember.EMPTY_BYTES);
        }
        propagateAssignment(group, error, effects);
    }

    void setAndPropagateAssignment(ClassicGroup group, Map<String, byte[]> assignment, Effects effects) {
        for (ClassicGroupMember member : group.members()) {
            member.setAssignment(assignment.get(member.memberId()));
        }
        propagateAssignment(group, Errors.NONE, effects);
    }

    private void propagateAssignment(ClassicGroup group, Errors error, Effects effects) {
        for (ClassicGroupMember member : group.members()) {
            if (member.isAwaitingSync()) {
                replySync(group, member, member.awaitingSync(), error, effects);
                member.setAwaitingSync(null);
            }
            // A member whose session ran out while it waited for the assignment gets a fresh deadline.
            scheduleHeartbeat(group, member, member.sessionTimeoutMs(), effects.nowMs());
        }
    }

    private void replyPendingSync(ClassicGroup group, ClassicGroupMember member, Errors error, Effects effects) {
        if (member.isAwaitingSync()) {
            replySync(group, member, member.awaitingSync(), error, effects);
            member.setAwaitingSync(null);
        }
    }

    void replySync(ClassicGroup group, ClassicGroupMember member, ClassicGroupMember.PendingRequest request,
            Errors error, Effects effects) {
        SyncGroupResponseData response = new SyncGroupResponseData()
                .setErrorCode(error.code())
                .setAssignment(error == Errors.NONE ? member.assignment() : ClassicGroupMember.EMPTY_BYTES);
        if (request.apiVersion() >= 5) {
            response.setProtocolType(group.protocolType()).setProtocolName(group.protocolName());
        }
        effects.reply(request.requestId(), response);
    }

    /** Answers the member's waiting JoinGroup and clears it. */
    void replyJoin(ClassicGroupMember member, JoinGroupResponseData response, Effects effects) {
        ClassicGroupMember.PendingRequest request = member.awaitingJoin();
        if (request == null) {
            return;
        }
        member.setAwaitingJoin(null);
        effects.reply(request.requestId(), JoinResponses.forVersion(response, request.apiVersion()));
    }

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData().setMemberId(memberId).setErrorCode(error.code());
    }

    /** Appends the group's GroupMetadata record with these assignments (empty for members not in the map). */
    void persist(ClassicGroup group, Map<String, byte[]> assignment, Effects effects) {
        List<GroupMemberMetadata> members = new ArrayList<>(group.size());
        for (ClassicGroupMember member : group.members()) {
            byte[] subscription = group.protocolName() == null ? null : member.metadata(group.protocolName());
            byte[] assigned = assignment.get(member.memberId());
            members.add(new GroupMemberMetadata(member.memberId(), member.groupInstanceId(), member.clientId(),
                    member.clientHost(), member.rebalanceTimeoutMs(), member.sessionTimeoutMs(),
                    subscription == null ? ClassicGroupMember.EMPTY_BYTES : subscription,
                    assigned == null ? ClassicGroupMember.EMPTY_BYTES : assigned));
        }
        GroupMetadataValue value = new GroupMetadataValue(
                group.protocolType() == null ? "" : group.protocolType(), group.generationId(), group.protocolName(),
                group.leaderId(), group.currentStateTimestampMs(), members);
        effects.append(new CoordinatorRecord(GroupKey.groupMetadata(group.groupId()), value));
    }

    /** The current assignments of all members, as persisted. */
    static Map<String, byte[]> currentAssignment(ClassicGroup group) {
        Map<String, byte[]> assignment = new HashMap<>();
        for (ClassicGroupMember member : group.members()) {
            assignment.put(member.memberId(), member.assignment());
        }
        return assignment;
    }

    /** Cancels every timer of a group's members (the group is going away). */
    void cancelMemberTimers(ClassicGroup group) {
        for (ClassicGroupMember member : group.members()) {
            timers.cancel(heartbeatKey(group.groupId(), member.memberId()));
        }
        timers.cancel(joinKey(group.groupId()));
        timers.cancel(syncKey(group.groupId()));
    }
}
